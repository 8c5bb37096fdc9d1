"""The adoption snippets of the README and docs/ci.md name what the templates really are."""

from __future__ import annotations

import re

from deployer import __version__
from tests.ci_templates.helpers import JENKINSFILE, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def test_each_ci_has_its_adoption_snippet_at_the_pinned_version():
    assert "uses: ./.github/workflows/dagship.yml" in README
    assert f"$CI_SERVER_FQDN/<group>/dagship/dagship@v{__version__}" in README
    assert (ROOT / "templates" / "dagship.yml").is_file()
    assert f"@Library('dagship@v{__version__}') _" in README
    assert f"@Library('dagship@v{__version__}') _" in JENKINSFILE.read_text(encoding="utf-8")
    # the single-step form is reference, kept in docs/ci.md with every template's details
    assert f"uses: dagship/dagship/ci-templates/github@v{__version__}" in CI_DOC
    assert f"$CI_SERVER_FQDN/<group>/dagship/dagship@v{__version__}" in CI_DOC


def test_every_template_linked_from_the_readme_exists():
    for link in re.findall(r"\]\(((?:ci-)?templates/[^)]*)\)", README):
        assert (ROOT / link).exists(), link
    for link in re.findall(r"\]\(\.\./((?:ci-)?templates/[^)]*)\)", CI_DOC):
        assert (ROOT / link).exists(), link
