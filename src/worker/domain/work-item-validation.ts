/**
 * Checks a work item's repository and branch before a build is started for it. CodeBuild answers a
 * bad request with InvalidInputException for the whole project, so an item CodeBuild would reject is
 * caught here, where it can be blamed on the item: the poller marks it failed with the reason.
 */
import type { WorkItem } from './work-item.js';

/**
 * GitHub account names: letters, digits and single hyphens, up to 39 characters; repository names:
 * letters, digits, `.`, `_`, `-`, up to 100 characters, and not `.` or `..`.
 */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** Characters and sequences `git check-ref-format` refuses in a branch name. */
const FORBIDDEN_IN_BRANCH = [/[ ~^:?*[\\]/, /\p{Cc}/u, /\.\./, /@\{/, /\/\//, /(?:^|\/)\./, /\.lock(?:\/|$)/];

/** Why the item cannot be built, or undefined when it can. */
export function workItemProblem(item: Pick<WorkItem, 'repository' | 'branch'>): string | undefined {
  const parts = item.repository.split('/');
  const [owner, name] = parts;
  if (parts.length !== 2 || owner === undefined || name === undefined || !OWNER.test(owner) || !NAME.test(name) || name === '.' || name === '..') {
    return `repository ${JSON.stringify(item.repository)} is not a GitHub owner/name`;
  }
  const branch = item.branch;
  if (
    branch === '' ||
    branch.length > 255 ||
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch === '@' ||
    FORBIDDEN_IN_BRANCH.some((pattern) => pattern.test(branch))
  ) {
    return `branch ${JSON.stringify(branch)} is not a valid git branch name`;
  }
  return undefined;
}
