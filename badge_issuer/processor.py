"""The pyld processor every JSON-LD operation of this package goes through: one lock, one caching
processor, one way to explain a pyld error.

:mod:`contexts` (the safe-mode check) and :mod:`canonical` (RDFC-1.0) both expand JSON-LD; they
share these three so neither imports the other. Why the processor may cache is explained in
:mod:`canonical`'s docstring.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from pyld import jsonld

from .errors import DocumentLoaderError

#: pyld keeps process-wide LRU caches (cachetools) that are not thread-safe: two threads
#: canonicalizing at once raised KeyError under a 20-thread test. The work is CPU-bound under the
#: GIL, so serialising it costs nothing. Reentrant: verifying may sign a status list inside.
PYLD_LOCK = threading.RLock()

_MEMO_SIZE = 1024
_memo: OrderedDict[tuple, tuple[Any, Any, Any]] = OrderedDict()
_memo_lock = threading.Lock()


class CachingProcessor(jsonld.JsonLdProcessor):
    """pyld processor that reuses processed contexts across calls (see :mod:`canonical`).

    Overrides pyld 3.x's private ``_process_context``; the byte-identity tests guard an upgrade.
    """

    def _process_context(  # noqa: PLR0917 - pyld's own signature
        self,
        active_ctx,
        local_ctx,
        options,
        override_protected=False,
        propagate=True,
        validate_scoped=True,
        cycles=None,
    ):
        uid = active_ctx.get("_uuid") if cycles is None else None
        if uid is None:  # nested (remote-context) processing or an unnamed context: not cacheable
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        key = (uid, id(local_ctx), override_protected, propagate, validate_scoped)
        with _memo_lock:
            hit = _memo.get(key)
            # the stored references keep both objects alive, so their ids cannot be reused
            if hit is not None and hit[0] is active_ctx and hit[1] is local_ctx:
                _memo.move_to_end(key)
                return hit[2]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        with _memo_lock:
            _memo[key] = (active_ctx, local_ctx, result)
            if len(_memo) > _MEMO_SIZE:
                _memo.popitem(last=False)
        return result


def pyld_reason(exc: BaseException) -> str:
    """The most useful message in pyld's exception chain (our loader's error, if any)."""
    link: BaseException | None = exc
    while link is not None:
        if isinstance(link, DocumentLoaderError):
            return str(link)
        link = link.__cause__ or link.__context__
    return str(exc.args[0] if exc.args else exc).splitlines()[0]
