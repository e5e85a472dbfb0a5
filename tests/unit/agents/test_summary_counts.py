"""infra/repos/summary_counts.py against MongoDB: the distinct counts of a set of files' keys,
from the kept union where files were only added, from every file's keys otherwise, always
equal to counting the files' keys from scratch."""
from __future__ import annotations

import random

import pyarrow as pa

from infra.repos import summary_counts
from models.sales.summary_keys import KINDS


def _keys(rng: random.Random) -> dict[str, pa.Array]:
    return {kind: pa.array(sorted({f"{kind}-{rng.randrange(40)}" for _ in range(rng.randrange(1, 12))}))
            for kind in KINDS}


async def test_counts_equal_a_count_from_scratch_through_imports_reimports_and_voids(h):
    org, rng = await h.org(), random.Random(21)
    stored: dict[int, dict[str, pa.Array]] = {}
    files: set[int] = set()
    for step in range(40):
        move = rng.random()
        if move < 0.5 or not files:             # a file imported
            file_id = 8000 + step
            stored[file_id] = _keys(rng)
            await summary_counts.save_keys(h.db, {"id": file_id, "organisation": org}, stored[file_id])
            files.add(file_id)
        elif move < 0.75:                        # one reimported with other keys
            file_id = rng.choice(sorted(files))
            stored[file_id] = _keys(rng)
            await summary_counts.save_keys(h.db, {"id": file_id, "organisation": org}, stored[file_id])
        else:                                    # one voided: no longer among the summary's files
            files.discard(rng.choice(sorted(files)))
        expected = {kind: len({v for i in files for v in stored[i][kind].to_pylist()}) for kind in KINDS}
        assert await summary_counts.distinct_counts(h.db, org, sorted(files)) == expected, step


async def test_an_import_merges_its_keys_into_the_kept_union_without_reading_the_others(h):
    """The earlier files' keys are changed behind their digests: a file added is merged into the
    kept union (which the change does not reach); a file voided makes every file count again."""
    org = await h.org()
    one = {"artists": pa.array(["A"]), "tracks": pa.array(["T"]), "releases": pa.array(["R"])}
    two = {"artists": pa.array(["B"]), "tracks": pa.array(["T"]), "releases": pa.array(["S"])}
    for file_id, keys in ((8101, one), (8102, two)):
        await summary_counts.save_keys(h.db, {"id": file_id, "organisation": org}, keys)
    assert await summary_counts.distinct_counts(h.db, org, [8101, 8102]) == \
        {"artists": 2, "tracks": 1, "releases": 2}
    from models.sales.snapshot_io import encode_keys

    changed = {**one, "artists": pa.array(["A", "Z"])}
    await h.db.snapshot_keys.update_one({"_id": 8101}, {"$set": {"keys": encode_keys(changed)}})
    three = {"artists": pa.array(["C"]), "tracks": pa.array(["U"]), "releases": pa.array(["R"])}
    await summary_counts.save_keys(h.db, {"id": 8103, "organisation": org}, three)
    assert await summary_counts.distinct_counts(h.db, org, [8101, 8102, 8103]) == \
        {"artists": 3, "tracks": 2, "releases": 2}           # Z not read: the union was
    assert await summary_counts.distinct_counts(h.db, org, [8101, 8103]) == \
        {"artists": 3, "tracks": 2, "releases": 1}           # counted again: A, Z, C
