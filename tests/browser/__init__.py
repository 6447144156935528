"""Browser and HTML-validation test tools for storysite.

* :mod:`tests.browser.harness` -- plain helpers: Chromium via Playwright, a
  static HTTP server, the Nu Html Checker (vnu) and axe-core.
* :mod:`tests.browser.fixtures` -- pytest fixtures built on them, loaded by
  ``tests/conftest.py`` (``pytest_plugins = ["tests.browser.fixtures"]``).
* ``test_harness.py`` -- the self-test of both.
"""
