import { readFileSync } from 'node:fs';

/** A load generator's configuration: JSON in argv, or `@file` when it is too long for argv. */
export function loadConfig(arg = process.argv[2]) {
  return JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg);
}
