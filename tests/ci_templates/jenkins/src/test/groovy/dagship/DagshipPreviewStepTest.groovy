package dagship

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue
import static org.junit.Assert.fail

import org.junit.Test

/** vars/dagshipPreview.groovy: the request's deploy, the periodic clean-up, credentials, lock. */
class DagshipPreviewStepTest extends StepHarness {
    static final Map PREVIEW = [target: 'preview', credentialsId: 'ds-staging-token',
                                tokenEnv: 'DS_STAGING_TOKEN']

    Script preview() {
        return loadScript('vars/dagshipPreview.groovy')
    }

    @Test
    void aChangeRequestDeploysItsPreviewUnderTheCredentialsAndItsOwnLock() {
        setUpHarness([BRANCH_NAME: 'PR-7', CHANGE_ID: '7', CHANGE_BRANCH: 'feature/x'])
        preview().call(PREVIEW)

        assertEquals(['install', 'deploy'], commands())
        assertEquals([], shell('install').credentials)     // no token before it is needed
        assertEquals(['DS_STAGING_TOKEN'], shell('deploy').credentials)
        assertEquals(['dagship-preview-7'], shell('deploy').locks)  // one deploy per request
        assertTrue(shell('deploy').script.contains(
            'deploy --no-progress --markdown dagship-preview.md --json dagship-preview.json'))
        assertEquals('preview', shell('deploy').env.DAGSHIP_TARGET)
        assertEquals('', shell('deploy').env.DAGSHIP_CLEANUP)
        assertEquals('git+https://github.com/dagship/dagship.git@v' + System.getProperty('dagship.version'),
                     shell('install').env.DAGSHIP_PACKAGE)
        assertEquals([[credentialsId: 'ds-staging-token', variable: 'DS_STAGING_TOKEN']],
                     calls('string'))
        assertEquals([[time: 30, unit: 'MINUTES']], calls('timeout'))
        assertEquals([[allowEmptyArchive: true, artifacts: 'dagship-preview.*']],
                     calls('archiveArtifacts'))
    }

    @Test
    void aBranchBuildWithoutARequestLocksOnTheBranch() {
        setUpHarness([BRANCH_NAME: 'feature/y'])
        preview().call(PREVIEW)
        assertEquals(['dagship-preview-feature/y'], shell('deploy').locks)
    }

    @Test
    void theCleanupJobDestroysStalePreviewsAndDeploysNothing() {
        setUpHarness([BRANCH_NAME: 'main'])
        preview().call(PREVIEW + [cleanup: '7d', timeoutMinutes: 10])

        assertEquals(['install', 'previews'], commands())
        assertEquals('.dagship-venv/bin/dagship previews --older-than "$DAGSHIP_CLEANUP" --destroy',
                     shell('previews').script)
        assertEquals('7d', shell('previews').env.DAGSHIP_CLEANUP)  // through the environment
        assertEquals(['DS_STAGING_TOKEN'], shell('previews').credentials)
        assertEquals([], calls('lock'))
        assertEquals([[time: 10, unit: 'MINUTES']], calls('timeout'))
    }

    @Test
    void aFailingDeployStillArchivesThePlanOnce() {
        setUpHarness([BRANCH_NAME: 'PR-8', CHANGE_ID: '8', CHANGE_BRANCH: 'feature/z'])
        onShell = { String script ->
            if (script.contains('dagship deploy')) {
                throw new IllegalStateException('script returned exit code 1')
            }
        }
        try {
            preview().call(PREVIEW)
            fail('a failing deploy must fail the build')
        } catch (IllegalStateException expected) {
            assertEquals('script returned exit code 1', expected.message)
        }
        assertEquals(['install', 'deploy'], commands())
        assertEquals(1, calls('archiveArtifacts').size())
    }

    @Test
    void missingSettingsStopTheBuildBeforeAnythingRuns() {
        setUpHarness([BRANCH_NAME: 'PR-7', CHANGE_ID: '7'])
        try {
            preview().call(target: 'preview', tokenEnv: 'DS_STAGING_TOKEN')
            fail('credentialsId is required')
        } catch (IllegalStateException expected) {
            assertTrue(expected.message, expected.message.contains('needs target, credentialsId and tokenEnv'))
        }
        assertEquals([], shells)
        assertEquals([], calls('withCredentials'))
    }

    @Test
    void theTokenNeverReachesAScriptsText() {
        setUpHarness([BRANCH_NAME: 'PR-7', CHANGE_ID: '7', DS_STAGING_TOKEN: 's3cr3t'])
        preview().call(PREVIEW + [deployArgs: '--on-drift skip'])
        assertNull(shells.find { it.script.contains('s3cr3t') || it.script.contains('TOKEN') })
        assertTrue(shell('deploy').script.endsWith('$DAGSHIP_ARGS'))  // not interpolated
        assertEquals('--on-drift skip', shell('deploy').env.DAGSHIP_ARGS)
    }
}
