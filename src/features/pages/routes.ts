import type { FastifyPluginAsync } from 'fastify';
import { publicRoute } from '../../platform/http/access-rule.ts';

/** The pages anyone may read: the start page, the accessibility statement and the privacy notice. */
export const pagesRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { config: publicRoute }, async (_request, reply) =>
    reply.render('pages/views/home.njk', { title: 'Home' }),
  );
  app.get('/accessibility', { config: publicRoute }, async (_request, reply) =>
    reply.render('pages/views/accessibility.njk', { title: 'Accessibility statement' }),
  );
  app.get('/privacy', { config: publicRoute }, async (_request, reply) =>
    reply.render('pages/views/privacy.njk', { title: 'Privacy notice' }),
  );
};
