import { main } from '../src/mod.ts';
import { recorder } from './recorder-service.ts';

await main(recorder);
