import { main } from '@heatstream/runtime';
import { simulators } from './service.ts';

await main(simulators);
