import { main } from '@heatstream/runtime';
import { acqShelly } from './service.ts';

await main(acqShelly);
