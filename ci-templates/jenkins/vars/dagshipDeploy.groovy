// dagshipDeploy: the dagship shared-library step. Lint, plan and (unless deploy: false)
// deploy one target; on a change request also the format check, the commit messages and
// the semantic diff against the merge base with the target branch (dagship-diff.md):
//
//   dagshipDeploy(target: 'staging', credentialsId: 'ds-staging-token',
//                 tokenEnv: 'DS_STAGING_TOKEN')
//
// Settings reach the shell as environment variables and every `sh` is a single-quoted
// string, so Groovy never interpolates a value (least of all the token) into a script.
// The token is bound by withCredentials (masked in the log) to the variable the target's
// token_env names. Deploys of one target are serialised across jobs by `lock`; each deploy
// is bounded by `timeout`. JUnit reports are recorded here, even when a step fails (so a
// Jenkinsfile must not record them again). All logic lives in the dagship CLI.
//
// dagship is installed from the dagship repository at this library's release tag: Jenkins
// tells a library step neither which version of its library was loaded nor where (the
// checkout is on the controller, not on the agent), so the tag is written here and a
// release bumps it with the version. `pkg` installs any other pip requirement instead.
def call(Map config = [:]) {
    String target = config.target ?: ''
    String credentialsId = config.credentialsId ?: ''
    String tokenEnv = config.tokenEnv ?: ''
    boolean deploy = config.deploy == null ? true : config.deploy
    // smoke: after the deploy, the target's `smoke:` runs (when dagship.yaml has one)
    boolean smoke = config.smoke == null ? false : config.smoke
    int timeoutMinutes = config.timeoutMinutes ?: 30
    if (!target || !credentialsId || !tokenEnv) {
        error('dagshipDeploy needs target, credentialsId and tokenEnv (the token_env of the target)')
    }
    Map settings = [
        DAGSHIP_PACKAGE: config.pkg ?: 'git+https://github.com/dagship/dagship.git@v0.1.0',
        DAGSHIP_INDEX_URL: config.indexUrl ?: '',
        DAGSHIP_CONFIG: config.configPath ?: '',
        DAGSHIP_TARGET: target,
        DAGSHIP_ARGS: config.deployArgs ?: '',
        DAGSHIP_SMOKE_ARGS: smoke ? '--smoke-if-configured --smoke-junit dagship-smoke.xml' : '',
    ]
    withEnv(settings.collect { name, value -> "${name}=${value}" }) {
        try {
            sh '''
                set -eu
                if [ ! -x .dagship-venv/bin/dagship ]; then
                  python3 -m venv .dagship-venv
                  set -- "$DAGSHIP_PACKAGE"
                  if [ -n "$DAGSHIP_INDEX_URL" ]; then set -- --index-url "$DAGSHIP_INDEX_URL" "$@"; fi
                  .dagship-venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"
                fi
                .dagship-venv/bin/dagship --version
            '''
            sh '.dagship-venv/bin/dagship lint --junit dagship-lint.xml'
            if (env.CHANGE_ID) {
                sh '.dagship-venv/bin/dagship fmt --check'
                sh '.dagship-venv/bin/dagship commit-msg --range auto --junit dagship-commits.xml'
                sh '.dagship-venv/bin/dagship diff --markdown dagship-diff.md --json dagship-diff.json'
            }
            withCredentials([string(credentialsId: credentialsId, variable: tokenEnv)]) {
                sh '.dagship-venv/bin/dagship plan --no-progress --markdown dagship-plan.md --json dagship-plan.json'
                if (deploy) {
                    lock(resource: "dagship-${target}") {
                        timeout(time: timeoutMinutes, unit: 'MINUTES') {
                            sh '.dagship-venv/bin/dagship deploy --no-progress --json dagship-deploy.json $DAGSHIP_SMOKE_ARGS $DAGSHIP_ARGS'
                        }
                    }
                }
            }
        } finally {
            junit(allowEmptyResults: true, testResults: 'dagship-*.xml')
            archiveArtifacts(allowEmptyArchive: true, artifacts: 'dagship-*.md, dagship-*.json')
        }
    }
}
