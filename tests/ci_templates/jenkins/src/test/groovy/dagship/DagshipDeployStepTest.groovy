package dagship

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue
import static org.junit.Assert.fail

import org.junit.Test

/** vars/dagshipDeploy.groovy: its branches, withCredentials, lock and junit. */
class DagshipDeployStepTest extends StepHarness {
    static final Map STAGING = [target: 'staging', credentialsId: 'ds-staging-token',
                                tokenEnv: 'DS_STAGING_TOKEN']

    @Test
    void aBranchBuildLintsPlansAndDeploysUnderTheCredentialsAndTheLock() {
        setUpHarness([BRANCH_NAME: 'develop'])
        step().call(STAGING)

        assertEquals(['install', 'lint', 'plan', 'deploy'], commands())
        assertEquals([[credentialsId: 'ds-staging-token', variable: 'DS_STAGING_TOKEN']],
                     calls('string'))
        assertEquals([], shell('lint').credentials)        // no token before it is needed
        assertEquals(['DS_STAGING_TOKEN'], shell('plan').credentials)
        assertEquals([], shell('plan').locks)              // a plan never waits for the lock
        assertEquals(['DS_STAGING_TOKEN'], shell('deploy').credentials)
        assertEquals(['dagship-staging'], shell('deploy').locks)
        assertEquals([[time: 30, unit: 'MINUTES']], calls('timeout'))
        // settings reach the shell through the environment, the install source included
        Map env = shell('install').env
        assertEquals('staging', env.DAGSHIP_TARGET)
        assertEquals('git+https://github.com/dagship/dagship.git@v' + System.getProperty('dagship.version'),
                     env.DAGSHIP_PACKAGE)
        assertEquals('', env.DAGSHIP_INDEX_URL)
        assertEquals([[allowEmptyResults: true, testResults: 'dagship-*.xml']], calls('junit'))
        assertEquals(1, calls('archiveArtifacts').size())
    }

    @Test
    void aChangeRequestAlsoChecksFormatCommitsAndDiffAndDeploysNothingWhenAskedNot() {
        setUpHarness([BRANCH_NAME: 'PR-7', CHANGE_ID: '7', CHANGE_TARGET: 'develop'])
        step().call(STAGING + [deploy: false])

        assertEquals(['install', 'lint', 'fmt', 'commit-msg', 'diff', 'plan'], commands())
        assertTrue(shell('commit-msg').script.contains('--range auto --junit dagship-commits.xml'))
        ['fmt', 'commit-msg', 'diff'].each { assertEquals([], shell(it).credentials) }
        assertEquals(['DS_STAGING_TOKEN'], shell('plan').credentials)
        assertEquals([], calls('lock'))
        assertEquals(1, calls('junit').size())
    }

    @Test
    void aFailingStepStillRecordsTheReportsOnce() {
        setUpHarness([BRANCH_NAME: 'main'])
        onShell = { String script ->
            if (script.contains('dagship lint')) {
                throw new IllegalStateException('script returned exit code 1')
            }
        }
        try {
            step().call(target: 'production', credentialsId: 'ds-prod-token', tokenEnv: 'DS_PROD_TOKEN')
            fail('a failing lint must fail the build')
        } catch (IllegalStateException expected) {
            assertEquals('script returned exit code 1', expected.message)
        }
        assertEquals(['install', 'lint'], commands())  // nothing planned, nothing deployed
        assertEquals(1, calls('junit').size())
        assertEquals(1, calls('archiveArtifacts').size())
        assertEquals([], calls('lock'))
    }

    @Test
    void missingSettingsStopTheBuildBeforeAnythingRuns() {
        setUpHarness([BRANCH_NAME: 'develop'])
        try {
            step().call(target: 'staging', credentialsId: 'ds-staging-token')
            fail('tokenEnv is required')
        } catch (IllegalStateException expected) {
            assertTrue(expected.message, expected.message.contains('needs target, credentialsId and tokenEnv'))
        }
        assertEquals([], shells)
        assertEquals([], calls('withCredentials'))
    }

    @Test
    void settingsOverrideTheDefaults() {
        setUpHarness([BRANCH_NAME: 'develop'])
        step().call(STAGING + [pkg: 'dagship==0.1.0', indexUrl: 'https://pypi.example/simple',
                               configPath: 'data/dagship.yaml', deployArgs: '--on-drift skip',
                               timeoutMinutes: 5])
        Map env = shell('deploy').env
        assertEquals('dagship==0.1.0', env.DAGSHIP_PACKAGE)
        assertEquals('https://pypi.example/simple', env.DAGSHIP_INDEX_URL)
        assertEquals('data/dagship.yaml', env.DAGSHIP_CONFIG)
        assertEquals('--on-drift skip', env.DAGSHIP_ARGS)
        assertEquals([[time: 5, unit: 'MINUTES']], calls('timeout'))
        // the script itself names the variable; Groovy interpolates nothing into it
        assertTrue(shell('deploy').script.endsWith('$DAGSHIP_ARGS'))
        assertFalse(shells*.script.any { it.contains('--on-drift skip') })
    }

    @Test
    void theTokenNeverReachesAScriptsText() {
        setUpHarness([BRANCH_NAME: 'develop', DS_STAGING_TOKEN: 's3cr3t'])
        step().call(STAGING)
        assertNull(shells.find { it.script.contains('s3cr3t') || it.script.contains('TOKEN') })
    }
}
