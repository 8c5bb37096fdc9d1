package dagship

import com.lesfurets.jenkins.unit.BasePipelineTest

/**
 * Jenkins' steps as the dagship templates use them, mocked so that the tests can see what ran
 * where: every `sh` is recorded with the credentials bound and the lock held at that moment,
 * `error` aborts the build as Jenkins' does, and `junit`/`archiveArtifacts` are counted.
 */
abstract class StepHarness extends BasePipelineTest {
    static final String TEMPLATES = System.getProperty('dagship.jenkins')

    List<Map> shells = []
    List<String> bound = []   // variables withCredentials holds right now
    List<String> locks = []   // resources lock holds right now
    Map<String, String> envSettings = [:]  // what withEnv set, for the script it wraps
    Closure onShell = { String script -> }

    void setUpHarness(Map env) {
        scriptRoots = [TEMPLATES] as String[]
        scriptExtension = 'groovy'
        super.setUp()
        binding.setVariable('env', env)
        helper.registerAllowedMethod('sh', [String], { String script ->
            shells << [script: script.trim(), credentials: bound.clone(), locks: locks.clone(),
                       env: envSettings.clone()]
            onShell(script)
        })
        helper.registerAllowedMethod('withEnv', [List, Closure], { List pairs, Closure body ->
            Map before = envSettings.clone()
            pairs.each { String pair ->
                def (name, value) = pair.split('=', 2) as List
                envSettings[name] = value ?: ''
            }
            try { body() } finally { envSettings = before }
        })
        helper.registerAllowedMethod('withCredentials', [List, Closure], { List names, Closure body ->
            bound.addAll(names)
            try { body() } finally { bound.removeAll(names) }
        })
        helper.registerAllowedMethod('lock', [Map, Closure], { Map args, Closure body ->
            String resource = args.resource.toString()  // a GString in the step
            locks << resource
            try { body() } finally { locks.remove(resource) }
        })
        helper.registerAllowedMethod('timeout', [Map, Closure], { Map args, Closure body -> body() })
        helper.registerAllowedMethod('junit', [Map], null)
        helper.registerAllowedMethod('archiveArtifacts', [Map], null)
        helper.registerAllowedMethod('error', [String], { String message ->
            throw new IllegalStateException(message)  // Jenkins' error() aborts the build
        })
    }

    Script step() {
        return loadScript('vars/dagshipDeploy.groovy')
    }

    /** The dagship command of each `sh` (`install` for the one that installs dagship). */
    List<String> commands() {
        return shells.collect { Map s ->
            s.script.startsWith('.dagship-venv/bin/dagship ') ? s.script.split(' ')[1] : 'install'
        }
    }

    /** The `sh` that ran `command` (see commands()), or null. */
    Map shell(String command) {
        int at = commands().indexOf(command)
        return at < 0 ? null : shells[at]
    }

    List<Map> calls(String name) {
        return helper.callStack.findAll { it.methodName == name }.collect { it.args[0] as Map }
    }
}
