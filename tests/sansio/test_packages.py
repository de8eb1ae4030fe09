"""Where ``find_package`` says an import name lives, for each layout."""

from __future__ import annotations

import os
import sys
import typing as t

import pytest

from flask.sansio.scaffold import find_package


@pytest.fixture
def on_path(
    tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> t.Iterator[t.Callable[..., t.Any]]:
    """Prepend folders to ``sys.path``; forget modules imported meanwhile."""
    before = set(sys.modules)

    def add(folder: t.Any) -> t.Any:
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.syspath_prepend(str(folder))
        return folder

    yield add
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_a_checkout_module_has_no_prefix(on_path: t.Any, tmp_path: t.Any) -> None:
    folder = on_path(tmp_path / "src")
    (folder / "pkgcase_module.py").write_text("")
    assert find_package("pkgcase_module") == (None, str(folder))


def test_a_package_and_its_submodules_give_the_folder_above_it(
    on_path: t.Any, tmp_path: t.Any
) -> None:
    folder = on_path(tmp_path / "src")
    (folder / "pkgcase_pkg" / "sub").mkdir(parents=True)
    (folder / "pkgcase_pkg" / "__init__.py").write_text("")
    (folder / "pkgcase_pkg" / "sub" / "__init__.py").write_text("")
    assert find_package("pkgcase_pkg") == (None, str(folder))
    assert find_package("pkgcase_pkg.sub") == (None, str(folder))


def test_an_unknown_name_gives_the_working_directory(
    tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_package("pkgcase_no_such_module") == (None, os.getcwd())


def test_a_namespace_package_gives_the_portion_holding_the_subpackage(
    on_path: t.Any, tmp_path: t.Any
) -> None:
    first = on_path(tmp_path / "one")
    second = on_path(tmp_path / "two")
    (first / "pkgcase_ns" / "alpha").mkdir(parents=True)
    (first / "pkgcase_ns" / "alpha" / "__init__.py").write_text("")
    (second / "pkgcase_ns" / "beta").mkdir(parents=True)
    (second / "pkgcase_ns" / "beta" / "__init__.py").write_text("")
    assert find_package("pkgcase_ns.alpha") == (None, str(first))
    assert find_package("pkgcase_ns.beta") == (None, str(second))


@pytest.mark.parametrize(
    ("layout", "prefix_depth"),
    [
        (("lib", "site-packages"), 2),
        (("lib", "python3.11", "site-packages"), 3),
        (("custom", "site-packages"), 1),
    ],
)
def test_site_packages_outside_sys_prefix_give_their_prefix(
    on_path: t.Any, tmp_path: t.Any, layout: tuple[str, ...], prefix_depth: int
) -> None:
    site = on_path(tmp_path.joinpath("env", *layout))
    (site / "pkgcase_installed.py").write_text("")
    prefix, folder = find_package("pkgcase_installed")
    assert folder == str(site)
    expected = site
    for _ in range(prefix_depth):
        expected = expected.parent
    assert prefix == str(expected)


def test_code_under_sys_prefix_gives_sys_prefix() -> None:
    prefix, folder = find_package("pytest")
    assert prefix == os.path.abspath(sys.prefix)
    assert folder.startswith(prefix)
