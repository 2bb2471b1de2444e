import type { RouteOptions } from 'fastify';
import { CUSTODY_VERSION } from '../app/version.js';

interface Operation {
  method: string;
  path: string;
  schema: Record<string, unknown>;
  public: boolean;
  permission: string | undefined;
}

/**
 * Collects every route as it is registered and turns their JSON schemas into an OpenAPI 3.1
 * document, so the document cannot drift from what the server validates.
 */
export class OpenApiCollector {
  private readonly ops: Operation[] = [];

  onRoute = (r: RouteOptions): void => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    const config = (r.config ?? {}) as { public?: boolean; permission?: string; hidden?: boolean };
    if (config.hidden) return;
    for (const m of methods) {
      if (m === 'HEAD' || m === 'OPTIONS') continue;
      this.ops.push({
        method: m.toLowerCase(),
        path: r.url.replace(/:([A-Za-z_]+)/g, '{$1}'),
        schema: (r.schema ?? {}) as Record<string, unknown>,
        public: config.public === true,
        permission: config.permission,
      });
    }
  };

  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const op of this.ops) {
      const s = op.schema as {
        summary?: string;
        description?: string;
        tags?: string[];
        querystring?: {
          properties?: Record<string, { description?: string }>;
          required?: string[];
        };
        params?: { properties?: Record<string, { description?: string }> };
        body?: unknown;
        consumes?: string[];
        response?: Record<string, unknown>;
      };
      const parameters = [
        ...Object.entries(s.params?.properties ?? {}).map(([name, schema]) => ({
          name,
          in: 'path',
          required: true,
          schema,
        })),
        ...Object.entries(s.querystring?.properties ?? {}).map(([name, schema]) => ({
          name,
          in: 'query',
          required: s.querystring?.required?.includes(name) ?? false,
          ...(schema.description ? { description: schema.description } : {}),
          schema,
        })),
      ];
      const responses: Record<string, unknown> = {};
      for (const [code, schema] of Object.entries(s.response ?? {})) {
        responses[code] = {
          description: code.startsWith('2') ? 'OK' : 'Error',
          content: { 'application/json': { schema } },
        };
      }
      responses['4XX'] = {
        description: 'A coded error: `{ "error": { "code", "message", "details" } }`',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
      paths[op.path] ??= {};
      const path = paths[op.path] as Record<string, unknown>;
      path[op.method] = {
        ...(s.summary ? { summary: s.summary } : {}),
        ...(s.description || op.permission
          ? {
              description: [
                s.description,
                op.permission ? `Needs permission \`${op.permission}\`.` : '',
              ]
                .filter(Boolean)
                .join('\n\n'),
            }
          : {}),
        ...(s.tags ? { tags: s.tags } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(s.body || s.consumes
          ? {
              requestBody: {
                required: true,
                content: Object.fromEntries(
                  (s.consumes ?? ['application/json']).map((t) => [t, { schema: s.body ?? {} }]),
                ),
              },
            }
          : {}),
        responses,
        ...(op.public ? { security: [] } : {}),
      };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Custody API',
        version: CUSTODY_VERSION,
        description:
          'Software supply-chain custody: SBOM inventory, search across the portfolio, and (in later versions) signing, transparency log, VEX and admission.',
      },
      servers: [{ url: '/' }],
      security: [{ bearer: [] }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token from `custody token create`',
          },
        },
        schemas: {
          Error: {
            type: 'object',
            required: ['error'],
            properties: {
              error: {
                type: 'object',
                required: ['code', 'message'],
                properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
              },
            },
          },
        },
      },
      paths,
    };
  }
}
