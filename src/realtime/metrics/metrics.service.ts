import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { unhandledRejectionCount } from '../../common/process/unhandled-rejections.js';
import { FrameMeter } from './frame-meter.js';

/** What the hub reports when metrics are scraped. */
export interface HubFigures {
  channels: number;
  subscriptions: number;
}

/** Prometheus metrics of this node, in a registry of its own (several apps may share a process in tests). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  /** Frames sent to clients, counted where they are sent (sessions, the fan-out loop). */
  readonly frames = new FrameMeter();
  private hubFigures: () => HubFigures = () => ({ channels: 0, subscriptions: 0 });
  private busDropped: () => number = () => 0;

  readonly openSockets = new Gauge({
    name: 'rt_open_sockets',
    help: 'Open client sessions',
    labelNames: ['transport'],
    registers: [this.registry],
  });
  readonly subscriptions: Gauge = new Gauge({
    name: 'rt_subscriptions',
    help: 'Channel subscriptions of local sessions',
    registers: [this.registry],
    collect: (): void => this.subscriptions.set(this.hubFigures().subscriptions),
  });
  readonly channels: Gauge = new Gauge({
    name: 'rt_channels',
    help: 'Channels with local subscribers',
    registers: [this.registry],
    collect: (): void => this.channels.set(this.hubFigures().channels),
  });
  readonly framesIn = new Counter({
    name: 'rt_frames_in_total',
    help: 'Client frames received, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly framesOut: Counter<'type'> = new Counter({
    name: 'rt_frames_out_total',
    help: 'Frames sent to clients, by type (events included)',
    labelNames: ['type'],
    registers: [this.registry],
    collect: (): void => {
      this.framesOut.reset();
      for (const [type, n] of this.frames.totals()) this.framesOut.inc({ type }, n);
    },
  });
  readonly eventsPublished = new Counter({
    name: 'rt_events_published_total',
    help: 'Events published by this node',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'rt_event_deliveries_total',
    help: 'Event frames handed to local sessions',
    registers: [this.registry],
  });
  readonly fanOutLatency = new Histogram({
    name: 'rt_fanout_duration_seconds',
    help: 'Time to hand one event to every local subscriber',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'rt_delivery_latency_seconds',
    help: 'From commit to hand-off to local sockets',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'rt_rate_limit_rejections_total',
    help: 'Requests and frames refused by rate limits',
    labelNames: ['transport'],
    registers: [this.registry],
  });
  readonly busReconnects = new Counter({
    name: 'rt_bus_reconnects_total',
    help: 'Bus reconnections',
    registers: [this.registry],
  });
  readonly busUnpublished: Counter = new Counter({
    name: 'rt_bus_unpublished_total',
    help: 'Events this node could not publish on the bus (sent again, or repaired from the log, once it is back)',
    registers: [this.registry],
    collect: (): void => {
      this.busUnpublished.reset();
      this.busUnpublished.inc(this.busDropped());
    },
  });
  readonly gapRepairs = new Counter({
    name: 'rt_gap_repairs_total',
    help: 'Out-of-order or lost events repaired from the channel log',
    registers: [this.registry],
  });
  readonly closes = new Counter({
    name: 'rt_socket_closes_total',
    help: 'Sockets closed by the server, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });

  readonly unhandledRejections: Counter = new Counter({
    name: 'rt_unhandled_rejections_total',
    help: 'Promise rejections nobody handled, logged and survived by the process',
    registers: [this.registry],
    collect: (): void => {
      this.unhandledRejections.reset();
      this.unhandledRejections.inc(unhandledRejectionCount());
    },
  });

  readonly httpRequests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, with their duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The hub's channel and subscription counts, read at scrape time. */
  reportHubFigures(figures: () => HubFigures): void {
    this.hubFigures = figures;
  }

  /** The bus's count of events it could not publish, read at scrape time. */
  reportBusDropped(dropped: () => number): void {
    this.busDropped = dropped;
  }

  /** One event handed to `sent` local sessions in `ms`; `publishedAt` (epoch ms) gives the delivery latency. */
  observeFanOut(sent: number, ms: number, publishedAt?: number): void {
    this.deliveries.inc(sent);
    this.frames.sent('event', sent);
    this.fanOutLatency.observe(ms / 1000);
    if (publishedAt !== undefined)
      this.deliveryLatency.observe(Math.max(0, Date.now() - publishedAt) / 1000);
  }
}
