import { Type } from '@sinclair/typebox';
import { Secret } from '@heatstream/runtime';

/** The QuestDB settings every service and tool that talks to QuestDB shares (config key `questdb`). */
export const questDbConnectionProperties = {
  url: Type.String({ default: 'http://127.0.0.1:9000', description: 'REST and ILP/HTTP base URL' }),
  user: Type.Optional(Type.String({ minLength: 1, description: "QuestDB's QDB_HTTP_USER" })),
  password: Type.Optional(Secret({ description: "QuestDB's QDB_HTTP_PASSWORD" })),
};
