import { main } from '@heatstream/runtime';
import { gateway } from './service.ts';

await main(gateway);
