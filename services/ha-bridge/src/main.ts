import { main } from '@heatstream/runtime';
import { service } from './service.ts';

await main(service);
