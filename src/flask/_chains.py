"""Per-endpoint hook chains, and the registries that tell them when to
be rebuilt.

The app's hook registries map a blueprint name (None for the app) to
functions. Which of them apply to a request depends only on the endpoint
it matched, so for each endpoint the applicable functions are gathered
once, in the order they run, into a :class:`Chain`. A request then walks
a ready tuple per stage: another blueprint's hooks are never looked at.

Registrations may still happen after the first request (decorators
before it, extensions appending to the dicts at any time), so the
registries are replaced by :class:`TrackedDict`/:class:`TrackedList`
copies that advance a shared :class:`Clock` on every mutation, nested
values included. The chain set remembers the clock reading it was built
at; the first stage of a request compares it with the clock (one
comparison per request) and keeps the chain on the request context for
the later stages, so a registration made while a request runs applies
from the next request on.
"""

from __future__ import annotations

import typing as t
import weakref

from .helpers import _blueprint_chain

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .ctx import RequestContext

_Fn = t.Callable[..., t.Any]


class Clock:
    """A counter of registry mutations, shared by all of one app's
    tracked registries."""

    __slots__ = ("now", "idle")

    def __init__(self) -> None:
        self.now = 0
        #: True while no request hook is registered anywhere, as found by
        #: the last rebuild: the stages then skip the chains altogether.
        #: Stays False from a mutation until the next rebuild.
        self.idle = False

    def tick(self) -> None:
        self.now += 1
        self.idle = False


class TrackedList(list):  # type: ignore[type-arg]
    """A list that advances ``clock`` whenever it changes."""

    __slots__ = ("clock",)

    def __init__(self, clock: Clock, items: t.Iterable[t.Any] = ()) -> None:
        super().__init__(items)
        self.clock = clock

    def __reduce__(self) -> tuple[t.Any, ...]:
        # Copies and pickles are plain lists, detached from the clock.
        return list, (list(self),)


def _ticking(name: str) -> t.Any:
    plain = getattr(list, name)

    def mutate(self: TrackedList, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self.clock.tick()
        return plain(self, *args, **kwargs)

    mutate.__name__ = name
    return mutate


for _name in (
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "sort",
    "reverse",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
):
    setattr(TrackedList, _name, _ticking(_name))


class TrackedDict(dict):  # type: ignore[type-arg]
    """A dict that advances ``clock`` whenever it changes.

    ``wrap`` turns a stored value into a tracked one (so changes made
    through it are seen too); ``fresh``, when given, makes the value of a
    missing key, as a ``defaultdict`` does.
    """

    __slots__ = ("clock", "wrap", "fresh")

    def __init__(
        self,
        clock: Clock,
        wrap: t.Callable[[t.Any], t.Any],
        fresh: t.Callable[[], t.Any] | None,
        items: t.Mapping[t.Any, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.wrap = wrap
        self.fresh = fresh
        if items:
            for key, value in items.items():
                dict.__setitem__(self, key, wrap(value))

    def __reduce__(self) -> tuple[t.Any, ...]:
        # Copies and pickles are plain dicts, detached from the clock.
        return dict, (dict(self),)

    def __missing__(self, key: t.Any) -> t.Any:
        if self.fresh is None:
            raise KeyError(key)
        value = self.fresh()
        self[key] = value
        return value

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        self.clock.tick()
        dict.__setitem__(self, key, self.wrap(value))

    def __delitem__(self, key: t.Any) -> None:
        self.clock.tick()
        dict.__delitem__(self, key)

    def setdefault(self, key: t.Any, default: t.Any = None) -> t.Any:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: t.Any, **kwargs: t.Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: t.Any) -> TrackedDict:  # type: ignore[misc]
        self.update(other)
        return self

    def pop(self, *args: t.Any) -> t.Any:
        self.clock.tick()
        return dict.pop(self, *args)

    def popitem(self) -> tuple[t.Any, t.Any]:
        self.clock.tick()
        return dict.popitem(self)

    def clear(self) -> None:
        self.clock.tick()
        dict.clear(self)


def track_hooks(clock: Clock, value: t.Any) -> TrackedDict:
    """``{name: [function]}`` as tracked containers."""
    if isinstance(value, TrackedDict) and value.clock is clock:
        return value

    def as_list(items: t.Any) -> t.Any:
        if isinstance(items, TrackedList) and items.clock is clock:
            return items
        return TrackedList(clock, items)

    return TrackedDict(clock, as_list, lambda: TrackedList(clock), value)


def track_error_handlers(clock: Clock, value: t.Any) -> TrackedDict:
    """``{name: {code: {exception class: handler}}}`` as tracked
    containers; the two outer levels fill missing keys."""
    if isinstance(value, TrackedDict) and value.clock is clock:
        return value

    def by_class(items: t.Any) -> t.Any:
        if isinstance(items, TrackedDict) and items.clock is clock:
            return items
        return TrackedDict(clock, _same, None, items)

    def by_code(items: t.Any) -> t.Any:
        if isinstance(items, TrackedDict) and items.clock is clock:
            return items
        return TrackedDict(clock, by_class, lambda: by_class({}), items)

    return TrackedDict(clock, by_code, lambda: by_code({}), value)


def track_list(clock: Clock, value: t.Any) -> TrackedList:
    """A plain list of functions as a tracked list."""
    if isinstance(value, TrackedList) and value.clock is clock:
        return value
    return TrackedList(clock, value)


class RegistryAttribute:
    """A hook registry attribute: whatever is assigned (the sansio layer
    creates them) is stored as tracked containers of the app's clock, so
    the chains see every later change."""

    def __init__(self, track: t.Callable[[Clock, t.Any], t.Any]) -> None:
        self.track = track
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, app: t.Any, owner: type | None = None) -> t.Any:
        if app is None:
            return self
        try:
            return app.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, app: t.Any, value: t.Any) -> None:
        clock = clock_of(app)
        clock.tick()
        app.__dict__[self.name] = self.track(clock, value)


def clock_of(app: t.Any) -> Clock:
    """The app's registry clock, made on first use."""
    clock: Clock | None = app.__dict__.get("_registry_clock")
    if clock is None:
        clock = app.__dict__["_registry_clock"] = Clock()
    return clock


def _same(value: t.Any) -> t.Any:
    return value


class Chain:
    """The functions that apply to one endpoint, per stage, in the order
    they run. Hooks are stored resolved for synchronous calling (see
    :meth:`Chains.resolve`); URL value preprocessors are called as they
    are, as in Flask."""

    __slots__ = (
        "blueprints",
        "url_values",
        "before",
        "after",
        "teardown",
        "context_processors",
        "handlers",
    )

    def __init__(self, app: Flask, blueprints: tuple[str, ...], chains: Chains):
        outward_in = (None, *reversed(blueprints))
        inward_out = (*blueprints, None)
        resolve = chains.resolve
        self.blueprints = list(blueprints)
        self.url_values = _gather(app.url_value_preprocessors, outward_in, _same)
        self.before = _gather(app.before_request_funcs, outward_in, resolve)
        self.after = _gather_reversed(app.after_request_funcs, inward_out, resolve)
        self.teardown = _gather_reversed(
            app.teardown_request_funcs, inward_out, resolve
        )
        self.context_processors = _gather(
            app.template_context_processors, outward_in, resolve
        )
        #: Exception class -> handler (or None), filled on first use.
        self.handlers: dict[type[BaseException], _Fn | None] = {}


def _gather(
    registry: t.Mapping[str | None, list[_Fn]],
    names: tuple[str | None, ...],
    resolve: t.Callable[[_Fn], _Fn],
) -> tuple[_Fn, ...]:
    return tuple(resolve(f) for name in names for f in registry.get(name, ()))


def _gather_reversed(
    registry: t.Mapping[str | None, list[_Fn]],
    names: tuple[str | None, ...],
    resolve: t.Callable[[_Fn], _Fn],
) -> tuple[_Fn, ...]:
    return tuple(resolve(f) for name in names for f in reversed(registry.get(name, ())))


class Chains:
    """One app's chains by endpoint, rebuilt when a registry changed."""

    def __init__(self, app: Flask, clock: Clock) -> None:
        # Weakly: the app holds its chains from construction, and an app
        # that is no longer used must be freed without waiting for the
        # cycle collector. The app is only read when a chain is built.
        self.app: Flask = weakref.proxy(app)  # type: ignore[assignment]
        self.clock = clock
        self.built_at = -1
        self.by_endpoint: dict[str | None, Chain] = {}
        self.appcontext_teardown: tuple[_Fn, ...] = ()

    def resolve(self, func: _Fn) -> _Fn:
        """The callable the pipeline calls for ``func``: the one place user
        code is adapted to the caller. With Flask's own ``ensure_sync`` it
        is resolved once here; an app overriding it gets it called for
        every call, as Flask does."""
        app = self.app
        if app._stock_ensure_sync:
            return app.ensure_sync(func)

        def call(*args: t.Any) -> t.Any:
            return app.ensure_sync(func)(*args)

        return call

    def refresh(self) -> None:
        """Empty the chains if a registry changed since they were built."""
        if self.built_at != self.clock.now:
            self.by_endpoint = {}
            self.appcontext_teardown = tuple(
                self.resolve(f) for f in reversed(self.app.teardown_appcontext_funcs)
            )
            self.built_at = self.clock.now
            self.clock.idle = self._nothing_registered()

    def _nothing_registered(self) -> bool:
        app = self.app
        registries = (
            app.url_value_preprocessors,
            app.before_request_funcs,
            app.after_request_funcs,
            app.teardown_request_funcs,
        )
        return not any(funcs for registry in registries for funcs in registry.values())

    def of_context(self, ctx: RequestContext | None) -> Chain:
        """The chain of the request of ``ctx`` (the app's alone without a
        request). The first stage to ask looks it up (checking the clock);
        the request's later stages reuse it from the context."""
        if ctx is None:
            return self.of(None)
        chain = ctx._chain
        if chain is not None:
            return chain
        match = ctx._match
        if (
            match is not None
            and ctx._request is None
            and self.built_at == self.clock.now
        ):
            # The common case, inline: a match read without the request object.
            chain = self.by_endpoint.get(match[0].endpoint)
        if chain is None:
            chain = self.of(ctx._route()[0])
        ctx._chain = chain
        return chain

    def of(self, endpoint: str | None) -> Chain:
        """The chain of ``endpoint`` (None: a request that matched nothing)."""
        if self.built_at != self.clock.now:
            self.refresh()
        chain = self.by_endpoint.get(endpoint)
        if chain is None:
            chain = Chain(self.app, _blueprint_chain(endpoint), self)
            self.by_endpoint[endpoint] = chain
        return chain

    def error_handler(self, ctx: RequestContext | None, e: Exception) -> _Fn | None:
        """The registered handler for ``e`` along the blueprints of the
        request's endpoint, looked up once per exception class."""
        chain = self.of_context(ctx)
        cls = type(e)
        try:
            return chain.handlers[cls]
        except KeyError:
            handler = self.app._find_error_handler(e, chain.blueprints)
            chain.handlers[cls] = handler
            return handler
