import { main } from '@heatstream/runtime';
import { acqModbus } from './service.ts';

await main(acqModbus);
