// `npm run bench`: every benchmark, one after the other (they compete for the same two cores otherwise).
import { benchInspect } from './inspect.mjs';

await benchInspect();
