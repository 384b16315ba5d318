/**
 * The site's repository URL as each GitOps controller needs it. People copy the scp-like form
 * (`git@host:owner/repo.git`) from their forge; Argo CD accepts it as it is, Flux's
 * GitRepository only `http(s)://` and `ssh://` URLs (its CRD pattern `^(http|https|ssh)://.*$`).
 */

const SCP_LIKE = /^([\w.-]+)@([\w.-]+):(?!\/\/)(.+)$/;

/** True for URLs cloned over SSH (need a deploy key). */
export function isSshRepoUrl(url: string): boolean {
  return url.startsWith('ssh://') || SCP_LIKE.test(url);
}

/**
 * `git@host:owner/repo.git` becomes `ssh://git@host/owner/repo.git`. On the forges people use
 * (GitHub, GitLab, Gitea, Forgejo) both name the same repository; on a plain SSH server a
 * relative scp path is relative to the user's home, so give an absolute one there.
 */
export function fluxRepoUrl(url: string): string {
  const m = SCP_LIKE.exec(url);
  if (!m) return url;
  const [, user, host, repoPath] = m;
  return `ssh://${user}@${host}/${repoPath.replace(/^\/+/, '')}`;
}
