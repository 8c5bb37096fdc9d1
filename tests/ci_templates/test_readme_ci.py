"""The README's adoption snippets name what the templates really are."""

from __future__ import annotations

import re

from deployer import __version__
from tests.ci_templates.helpers import JENKINSFILE, ROOT, TEMPLATES

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_each_ci_has_its_adoption_snippet_at_the_pinned_version():
    assert "uses: ./.github/workflows/dagship.yml" in README
    assert f"/dagship-ci/dagship@{__version__}" in README
    assert (TEMPLATES / "gitlab" / "templates" / "dagship.yml").is_file()
    assert f"@Library('dagship@v{__version__}') _" in README
    assert f"@Library('dagship@v{__version__}') _" in JENKINSFILE.read_text(encoding="utf-8")
    assert f'pip install "dagship=={__version__}"' in README


def test_every_template_linked_from_the_readme_exists():
    for link in re.findall(r"\]\((ci-templates/[^)]*)\)", README):
        assert (ROOT / link).exists(), link
