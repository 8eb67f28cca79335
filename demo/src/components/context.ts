import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { DemoApp } from '../app.js';

export const AppContext = createContext<DemoApp | null>(null);

/** The controller, for the components' actions (the state comes down as props). */
export function useApp(): DemoApp {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <App>');
  return app;
}
