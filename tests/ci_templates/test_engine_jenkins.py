"""The Jenkins templates, as far as they can run here: no Jenkins (nor its plugins) is on
Maven Central or in Debian, so

- the shared-library step and the example Jenkinsfile run under JenkinsPipelineUnit
  (tests/ci_templates/jenkins, Maven): the step's branches, withCredentials, lock, timeout,
  junit and the Jenkinsfile's stages, with Jenkins' steps mocked;
- the step's own shell scripts, read from the Groovy file, run for real in their order
  against a data repository and a sandbox, installing dagship as the step does by default
  (from the dagship repository at the library's release tag).
"""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from deployer import __version__
from deployer.sandbox import Sandbox
from tests.ci_templates.datarepo import TOKEN, make_data_repo
from tests.ci_templates.helpers import JENKINS_STEP, groovy_sh_scripts
from tests.helpers.engines import ROOT, clean_env, maven, run

pytestmark = pytest.mark.slow
POM = ROOT / "tests" / "ci_templates" / "jenkins" / "pom.xml"
REPORTS = ROOT / ".cache" / "jenkins-pipeline-unit" / "target" / "surefire-reports"


def test_jenkins_pipeline_unit_runs_the_step_and_the_jenkinsfile():
    mvn = maven()
    # Maven's own cache, not the sealed test HOME's: the jars are reused between runs
    m2 = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".m2" / "repository"
    result = run([mvn, "-B", "-q", "-f", str(POM), f"-Dmaven.repo.local={m2}",
                  f"-Ddagship.version={__version__}", "clean", "test"], ROOT, clean_env())
    result.require()
    cases = {}
    for report in sorted(REPORTS.glob("TEST-*.xml")):
        suite = ElementTree.parse(report).getroot()  # noqa: S314 - surefire's own report
        for case in suite.iter("testcase"):
            problems = [child.tag for child in case if child.tag in ("failure", "error",
                                                                      "skipped")]
            cases[f"{case.get('classname')}.{case.get('name')}"] = problems
    assert cases == {name: [] for name in cases}, cases
    assert sorted(cases) == [
        "dagship.DagshipDeployStepTest.aBranchBuildLintsPlansAndDeploysUnderTheCredentialsAndTheLock",
        "dagship.DagshipDeployStepTest.aChangeRequestAlsoChecksFormatCommitsAndDiffAndDeploysNothingWhenAskedNot",
        "dagship.DagshipDeployStepTest.aFailingStepStillRecordsTheReportsOnce",
        "dagship.DagshipDeployStepTest.missingSettingsStopTheBuildBeforeAnythingRuns",
        "dagship.DagshipDeployStepTest.settingsOverrideTheDefaults",
        "dagship.DagshipDeployStepTest.theTokenNeverReachesAScriptsText",
        "dagship.DagshipPreviewStepTest.aBranchBuildWithoutARequestLocksOnTheBranch",
        "dagship.DagshipPreviewStepTest.aChangeRequestDeploysItsPreviewUnderTheCredentialsAndItsOwnLock",
        "dagship.DagshipPreviewStepTest.aFailingDeployStillArchivesThePlanOnce",
        "dagship.DagshipPreviewStepTest.missingSettingsStopTheBuildBeforeAnythingRuns",
        "dagship.DagshipPreviewStepTest.theCleanupJobDestroysStalePreviewsAndDeploysNothing",
        "dagship.DagshipPreviewStepTest.theTokenNeverReachesAScriptsText",
        "dagship.JenkinsfileTest.aChangeRequestValidatesAgainstItsTargetWithoutDeploying",
        "dagship.JenkinsfileTest.anotherBranchRunsNoStage",
        "dagship.JenkinsfileTest.developDeploysStagingAndRecordsJunitOnce",
        "dagship.JenkinsfileTest.mainDeploysProduction",
    ]


def test_the_steps_scripts_run_in_order_and_install_the_librarys_release(
        tmp_path, dagship_git, wheelhouse):
    text = JENKINS_STEP.read_text(encoding="utf-8")
    defaults = dict(re.findall(r"(DAGSHIP_\w+): config\.\w+ \?: '([^']*)'", text))
    assert defaults["DAGSHIP_PACKAGE"] == \
        f"git+https://github.com/dagship/dagship.git@v{__version__}"
    with Sandbox(token=TOKEN) as sb:
        repo = make_data_repo(tmp_path / "data", sb, "jenkins",
                              "https://git.example.com/acme/data.git")
        smoke = re.search(r"DAGSHIP_SMOKE_ARGS: smoke \? '([^']+)'", text)
        assert smoke is not None
        env = {**defaults, "DAGSHIP_TARGET": "staging", "DAGSHIP_ARGS": "--parallel 2",
               "DAGSHIP_SMOKE_ARGS": smoke.group(1),  # the staging stage's smoke: true
               "JENKINS_URL": "http://jenkins.invalid/", "BRANCH_NAME": "PR-7",
               "CHANGE_ID": "7", "CHANGE_TARGET": "develop", "GIT_COMMIT": repo.head,
               "PIP_INDEX_URL": wheelhouse,  # the agent's index: dagship's dependencies only
               "DS_STAGING_TOKEN": TOKEN}     # withCredentials(variable: tokenEnv)
        scripts = groovy_sh_scripts(text)
        assert [s.split()[1] if s.startswith(".dagship-venv") else "install"
                for s in scripts] == ["install", "lint", "fmt", "commit-msg", "diff", "plan",
                                      "deploy"]
        for script in scripts:
            run(["sh", "-xe", "-c", script], repo.root, clean_env(env)).require()
        installed = next((repo.root / ".dagship-venv").glob(
            "lib/python*/site-packages/dagship-*.dist-info/direct_url.json")).read_text()
        assert dagship_git.commit in installed  # the tag's commit, from the repository
        assert sorted(repo.deployed("dataops-staging")) == ["hello_dagship", "second"]
        assert repo.smoke_runs() == [("second", "SUCCESS")]  # the smoke step ran
        for report in ("dagship-lint.xml", "dagship-commits.xml", "dagship-plan.md",
                       "dagship-deploy.json", "dagship-diff.json", "dagship-smoke.xml"):
            assert (repo.root / report).is_file(), report
        diff = (repo.root / "dagship-diff.md").read_text(encoding="utf-8")
        assert f"merge base with develop ({repo.base[:7]})" in diff
        assert "| + | `second` |" in diff
