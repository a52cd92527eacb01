import type { FastifyPluginAsync } from 'fastify';
import { databaseIsHealthy, type Database } from '../../platform/db/database.ts';
import { publicRoute } from '../../platform/http/access-rule.ts';

/** Liveness (/ping) and readiness with a database check (/health), for operators and load balancers. */
export const healthRoutes: FastifyPluginAsync<{ database: Database }> = async (app, { database }) => {
  app.get('/ping', { config: publicRoute, logLevel: 'warn' }, async (_request, reply) => {
    return reply.type('text/plain').send('pong');
  });

  app.get('/health', { config: publicRoute, logLevel: 'warn' }, async (_request, reply) => {
    const databaseOk = await databaseIsHealthy(database.db);
    return reply.status(databaseOk ? 200 : 503).send({
      status: databaseOk ? 'ok' : 'unavailable',
      checks: { database: databaseOk ? 'ok' : 'unavailable' },
      engine: database.engine,
    });
  });
};
