"""CI workflow steps the migration leaves running nothing go whole; others stay as written."""

from __future__ import annotations

from migrator.plan.ci_steps import empty_steps
from migrator.verify.run import Entry, VerifySettings, verify

WORKFLOW = """\
jobs:
  build:
    steps:
      - uses: actions/checkout@v4
      - name: Left with nothing
        run: true
      - name: An emptied block
        shell: bash
        run: |

      - name: Still builds
        run: docker build -t app .
      - name: An action step
        uses: some/action@v1
        with:
          run: true
"""


def _removed(text: str) -> list[str]:
    return [text[s.start:s.end].splitlines()[0].strip() for s in empty_steps(text)]


def test_only_steps_that_run_nothing_are_found() -> None:
    assert _removed(WORKFLOW) == ["- name: Left with nothing", "- name: An emptied block"]


def test_a_step_with_other_keys_or_an_action_stays() -> None:
    text = "steps:\n  - name: x\n    run: true\n    with:\n      a: 1\n  - run: true\n"
    assert _removed(text) == ["- run: true"]


def test_verify_says_a_ci_defined_flow_is_not_run_here(tmp_path: object) -> None:
    """No engine is asked: a CI job's steps run on the CI system, with its environment."""
    result = verify(str(tmp_path), (), Entry(".github/workflows/build.yml", "ci", None, ()),
                    VerifySettings(docker="/nonexistent/docker"))
    assert result.status == "error" and "CI definition" in result.message


GITLAB = """\
stages: [build, image]

binary:
  stage: build
  script:
  artifacts:
    paths: [app]

container:
  stage: image
  script:
    - docker build -t app .
"""


def test_a_gitlab_job_left_without_script_is_found() -> None:
    from migrator.plan.ci_steps import empty_jobs

    assert [n for n, _ in empty_jobs(GITLAB)] == ["binary"]


def test_an_emptied_job_goes_unless_another_job_needs_it() -> None:
    from migrator.plan.edit_embedded import _gitlab

    before = GITLAB.replace("  script:\n  artifacts", "  script:\n    - make app\n  artifacts")
    assert "binary:" not in _gitlab(before, GITLAB)
    needed = GITLAB + "  needs: [binary]\n"
    kept = _gitlab(before + "  needs: [binary]\n", needed)
    assert 'binary:\n  stage: build\n  script:\n    - "true"\n' in kept


def test_an_emptied_travis_phase_runs_true_and_an_emptied_hook_goes() -> None:
    """Travis runs the language's default `script`/`install` when the key is empty."""
    from migrator.plan.edit_embedded import _travis

    old = "language: go\nscript:\n  - make\nafter_success:\n  - ./push.sh\ndeploy: x\n"
    emptied = "language: go\nscript:\nafter_success:\ndeploy: x\n"
    assert _travis(old, emptied) == 'language: go\nscript:\n  - "true"\ndeploy: x\n'
