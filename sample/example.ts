import { runWalkthrough } from './walkthrough/walkthrough.js';

// `npm run example`: every feature of the cache, section by section, in a few milliseconds.
await runWalkthrough(console.log);
