package dagship

import static com.lesfurets.jenkins.unit.global.lib.LibraryConfiguration.library
import static com.lesfurets.jenkins.unit.global.lib.LocalSource.localSource
import static org.junit.Assert.assertEquals

import java.nio.file.Files

import org.junit.Test

/**
 * The example Jenkinsfile (declarative), with its `@Library('dagship@v<version>')` resolved
 * by JenkinsPipelineUnit's library loader to ci-templates/jenkins, so `dagshipDeploy` is the
 * real step. This JenkinsPipelineUnit (1.1) has no declarative support, so the few directives
 * the file uses are given their meaning here: `when { branch X }` / `when { changeRequest
 * target: X }` decide whether a stage's `steps` run, as Jenkins decides; the others run
 * their body.
 */
class JenkinsfileTest extends StepHarness {
    List<String> stagesRun = []

    void setUpPipeline(Map env) {
        setUpHarness(env)
        // LocalSource finds a library as <folder>/<name>@<version>: the templates, linked
        String version = 'v' + System.getProperty('dagship.version')
        File libraries = File.createTempDir('dagship-libraries', '')
        Files.createSymbolicLink(new File(libraries, "dagship@${version}").toPath(),
                                 new File(TEMPLATES).toPath())
        helper.registerSharedLibrary(library().name('dagship').defaultVersion(version)
            .allowOverride(false).implicit(false).targetPath(libraries.path)
            .retriever(localSource(libraries.path)).build())
        ['pipeline', 'stages', 'options', 'post', 'always'].each { name ->
            helper.registerAllowedMethod(name, [Closure], { Closure body -> body() })
        }
        helper.registerAllowedMethod('agent', [Object], null)
        helper.registerAllowedMethod('timeout', [Map], null)
        helper.registerAllowedMethod('buildDiscarder', [Object], null)
        helper.registerAllowedMethod('logRotator', [Map], null)
        helper.registerAllowedMethod('disableConcurrentBuilds', [], null)
        binding.setVariable('any', 'any')
        Map current = [:]
        helper.registerAllowedMethod('stage', [String, Closure], { String name, Closure body ->
            current.clear()
            body()
            Closure when = current.when
            boolean wanted = true
            if (when != null) {
                Map decided = [result: true]
                helper.registerAllowedMethod('branch', [String], { String b -> decided.result = env.BRANCH_NAME == b })
                helper.registerAllowedMethod('changeRequest', [Map], { Map m ->
                    decided.result = env.CHANGE_ID != null && env.CHANGE_TARGET == m.target
                })
                when()
                wanted = decided.result
            }
            if (wanted) {
                stagesRun << name
                current.steps()
            }
        })
        helper.registerAllowedMethod('when', [Closure], { Closure c -> current.when = c })
        helper.registerAllowedMethod('steps', [Closure], { Closure c -> current.steps = c })
    }

    void build(Map env) {
        setUpPipeline(env)
        runScript('Jenkinsfile')
    }

    @Test
    void developDeploysStagingAndRecordsJunitOnce() {
        build([BRANCH_NAME: 'develop'])
        assertEquals(['Deploy staging'], stagesRun)
        assertEquals(['dagship-staging'], shell('deploy').locks)
        assertEquals(['DS_STAGING_TOKEN'], shell('deploy').credentials)
        // the staging deploy runs dagship.yaml's smoke step (when the target has one)
        assertEquals('--smoke-if-configured --smoke-junit dagship-smoke.xml',
                     shell('deploy').env.DAGSHIP_SMOKE_ARGS)
        assertEquals(1, calls('junit').size())
    }

    @Test
    void mainDeploysProduction() {
        build([BRANCH_NAME: 'main'])
        assertEquals(['Deploy production'], stagesRun)
        assertEquals(['dagship-production'], shell('deploy').locks)
        assertEquals(['DS_PROD_TOKEN'], shell('deploy').credentials)
        assertEquals('', shell('deploy').env.DAGSHIP_SMOKE_ARGS)  // no smoke run
        assertEquals(1, calls('junit').size())
    }

    @Test
    void aChangeRequestValidatesAgainstItsTargetWithoutDeploying() {
        build([BRANCH_NAME: 'PR-7', CHANGE_ID: '7', CHANGE_TARGET: 'main'])
        assertEquals(['Validate for main'], stagesRun)
        assertEquals(['DS_PROD_TOKEN'], shell('plan').credentials)
        assertEquals(null, shell('deploy'))
        assertEquals(['install', 'lint', 'fmt', 'commit-msg', 'diff', 'plan'], commands())
        assertEquals(1, calls('junit').size())
    }

    @Test
    void anotherBranchRunsNoStage() {
        build([BRANCH_NAME: 'feature/x'])
        assertEquals([], stagesRun)
        assertEquals([], shells)
    }
}
