import { main } from '@heatstream/runtime';
import { acqCellular } from './service.ts';

await main(acqCellular);
