import { main } from '../src/mod.ts';
import { ticker, tickerStreams } from './ticker-service.ts';

await main(ticker, { streams: tickerStreams });
