"""The temporary store of rendered texts: what is put is read back, by any forked process."""

from __future__ import annotations

import os

import pytest

from storysite.parallel import fork_map
from storysite.textstore import StoredTexts, TextStore


def test_texts_come_back_as_they_were_put_in_the_parent_and_in_forked_workers() -> None:
    texts = {f"k{i}": os.urandom(i % 5000) for i in range(600)}
    with TextStore() as store:
        for key, data in texts.items():
            store.put(key, data)
        store.put("k3", b"ignored: a key is a content hash, its data never changes")
        assert store.get("k3") == texts["k3"]
        keys = sorted(texts)
        assert fork_map(store.get, keys, workers=2, threshold=1) == [texts[k] for k in keys]
        view = StoredTexts(store, {"slug": "k42"})
        assert dict(view) == {"slug": texts["k42"]}
        with pytest.raises(KeyError):
            store.get("missing")


def test_the_store_makes_nothing_until_a_text_is_put_and_leaves_no_file(tmp_path) -> None:
    folder = tmp_path / "cache"
    with TextStore(folder) as store:
        assert not folder.exists()
        store.put("k", b"texte")
        assert store.get("k") == b"texte"
        for number in range(300):  # past a megabyte: written to the file
            store.put(f"big{number}", bytes([number % 256]) * 5000)
        assert store.get("big7") == bytes([7]) * 5000 and store.get("k") == b"texte"
        assert list(folder.iterdir()) == []  # the file has no name


def test_texts_not_written_yet_are_read_by_forked_workers_too() -> None:
    # Texts are written a megabyte at a time: a worker forked in between reads those written
    # from the file and the rest from what it inherited.
    texts = {f"k{i}": os.urandom(1000 + i % 3000) for i in range(1500)}
    with TextStore() as store:
        for key, data in texts.items():
            store.put(key, data)
        keys = sorted(texts)
        assert fork_map(store.get, keys, workers=2, threshold=1) == [texts[k] for k in keys]
        assert [store.get(k) for k in keys] == [texts[k] for k in keys]
