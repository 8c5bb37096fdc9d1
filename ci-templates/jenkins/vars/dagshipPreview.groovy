// dagshipPreview: the dagship shared-library step of preview projects. On a change request
// (a multibranch pull request build, `when { changeRequest() }`) it deploys the request's own
// project of a preview target (dagship.yaml: `{branch}` in its project; dagship reads the
// branch from CHANGE_BRANCH) and archives the plan (dagship-preview.md). Jenkins has no event
// for a closed pull request (the multibranch job of a closed one is just removed), so the
// clean-up is a periodic job, `cleanup: '7d'`, which destroys the previews idle longer than
// that (see Jenkinsfile.previews):
//
//   dagshipPreview(target: 'preview', credentialsId: 'ds-staging-token',
//                  tokenEnv: 'DS_STAGING_TOKEN')
//   dagshipPreview(target: 'preview', credentialsId: 'ds-staging-token',
//                  tokenEnv: 'DS_STAGING_TOKEN', cleanup: '7d')
//
// As in dagshipDeploy: settings reach the shell as environment variables, every `sh` is a
// single-quoted string, the token is bound by withCredentials only around the steps that
// need it, and one preview deploys at a time (`lock`).
def call(Map config = [:]) {
    String target = config.target ?: ''
    String credentialsId = config.credentialsId ?: ''
    String tokenEnv = config.tokenEnv ?: ''
    int timeoutMinutes = config.timeoutMinutes ?: 30
    if (!target || !credentialsId || !tokenEnv) {
        error('dagshipPreview needs target, credentialsId and tokenEnv (the token_env of the target)')
    }
    Map settings = [
        DAGSHIP_PACKAGE: config.pkg ?: 'git+https://github.com/dagship/dagship.git@v0.1.0',
        DAGSHIP_INDEX_URL: config.indexUrl ?: '',
        DAGSHIP_CONFIG: config.configPath ?: '',
        DAGSHIP_TARGET: target,
        DAGSHIP_ARGS: config.deployArgs ?: '',
        DAGSHIP_CLEANUP: config.cleanup ?: '',
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
            withCredentials([string(credentialsId: credentialsId, variable: tokenEnv)]) {
                timeout(time: timeoutMinutes, unit: 'MINUTES') {
                    if (config.cleanup) {
                        sh '.dagship-venv/bin/dagship previews --older-than "$DAGSHIP_CLEANUP" --destroy'
                    } else {
                        lock(resource: "dagship-preview-${env.CHANGE_ID ?: env.BRANCH_NAME}") {
                            sh '.dagship-venv/bin/dagship deploy --no-progress --markdown dagship-preview.md --json dagship-preview.json $DAGSHIP_ARGS'
                        }
                    }
                }
            }
        } finally {
            archiveArtifacts(allowEmptyArchive: true, artifacts: 'dagship-preview.*')
        }
    }
}
