import { Gauge, type Registry } from 'prom-client';

/**
 * Gauges that read one set of figures per scrape: `load` runs at most once a second, and every
 * gauge of one scrape reads the same result (so numerators and denominators agree).
 */
export function scrapeGauges<F>(
  registry: Registry,
  load: () => Promise<F>,
): (
  name: string,
  help: string,
  set: (g: Gauge<string>, f: F) => void,
  labelNames?: string[],
) => Gauge<string> {
  let cached: { at: number; figures: Promise<F> } | undefined;
  const figures = () => {
    const now = Date.now();
    if (!cached || now - cached.at > 1000) cached = { at: now, figures: load() };
    return cached.figures;
  };
  return (name, help, set, labelNames = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const f = await figures();
        this.reset();
        set(this, f);
      },
    });
}
