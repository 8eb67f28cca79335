import { render } from 'preact';
import { DemoApp } from './app.js';
import { App } from './components/App.js';
import './styles.css';

const app = new DemoApp();
app.start();
render(<App app={app} />, document.getElementById('app') as HTMLElement);
