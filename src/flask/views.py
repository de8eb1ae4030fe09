"""Class-based views.

A :class:`View` subclass becomes a view function with :meth:`View.as_view`;
:class:`MethodView` sends each HTTP method to the handler of that name.
"""

from __future__ import annotations

import typing as t

from .globals import current_app
from .globals import request

if t.TYPE_CHECKING:  # pragma: no cover
    from .typing import ResponseReturnValue
    from .typing import RouteCallable

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: The handler names :class:`MethodView` recognises, one per HTTP method.
http_method_funcs = frozenset(
    ["get", "post", "head", "options", "delete", "put", "trace", "patch"]
)

#: Handlers tried, in order, for methods with a fallback.
_FALLBACK_HANDLERS = {"HEAD": ("head", "get")}


class View:
    """A view as a class: implement :meth:`dispatch_request`, then
    register ``MyView.as_view("name")`` like a view function.

    The class attributes tell the routing how to register the view; an
    app reads them from the function ``as_view`` returns.
    """

    #: The HTTP methods the view accepts (None: GET, HEAD and OPTIONS).
    methods: t.ClassVar[t.Collection[str] | None] = None
    #: Whether the app answers OPTIONS itself (None: the app's default).
    provide_automatic_options: t.ClassVar[bool | None] = None
    #: Decorators for the view function, the first applied first.
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []
    #: Make an instance for every request (True), or one instance at
    #: ``as_view`` time that every request shares (False, which is
    #: cheaper but makes ``self`` state shared between requests).
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self) -> ResponseReturnValue:
        """Handle a request; the URL's values come as keyword arguments."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement dispatch_request()"
        )

    @classmethod
    def as_view(
        cls, name: str, *class_args: t.Any, **class_kwargs: t.Any
    ) -> RouteCallable:
        """The view function ``name`` for this class: it gets an instance
        made with ``class_args`` and ``class_kwargs`` and returns what its
        :meth:`dispatch_request` returns (run through ``ensure_sync``).

        Each request instantiates the returned function's ``view_class``,
        so replacing that attribute replaces the class.
        """
        if cls.init_every_request:

            def instance() -> View:
                return view.view_class(*class_args, **class_kwargs)  # type: ignore[attr-defined, no-any-return]

        else:
            shared = cls(*class_args, **class_kwargs)

            def instance() -> View:
                return shared

        def handle(**values: t.Any) -> ResponseReturnValue:
            dispatch = instance().dispatch_request
            return current_app.ensure_sync(dispatch)(**values)  # type: ignore[no-any-return]

        view = _decorated(handle, cls, name)
        return view


def _decorated(
    func: t.Callable[..., t.Any], cls: type[View], name: str
) -> RouteCallable:
    """``func`` under the view's name, through the class's decorators,
    carrying the attributes routing and introspection read."""
    identity = {"__name__": name, "__module__": cls.__module__}
    # Named before decorating, for decorators that copy the name.
    _set_attributes(func, identity)
    for decorator in cls.decorators:
        func = decorator(func)
    _set_attributes(
        func,
        {
            **identity,
            "__doc__": cls.__doc__,
            "view_class": cls,
            "methods": cls.methods,
            "provide_automatic_options": cls.provide_automatic_options,
        },
    )
    return func


def _set_attributes(target: object, attributes: dict[str, t.Any]) -> None:
    for attribute, value in attributes.items():
        setattr(target, attribute, value)


class MethodView(View):
    """A view whose handlers are methods named after HTTP methods
    (``get``, ``post``, ...); HEAD uses ``get`` when there is no ``head``.

    Unless a class sets :attr:`methods` itself, they are those of its
    handlers, inherited ones included, with those of its bases.
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" in cls.__dict__:
            return
        found = {verb.upper() for verb in http_method_funcs if hasattr(cls, verb)}
        for base in cls.__bases__:
            found.update(getattr(base, "methods", None) or ())
        if found:
            cls.methods = found

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:
        handler = self._handler_for(request.method)
        if handler is None:
            raise AssertionError(f"Unimplemented method {request.method!r}")
        return current_app.ensure_sync(handler)(**kwargs)  # type: ignore[no-any-return]

    def _handler_for(self, method: str) -> t.Callable[..., t.Any] | None:
        for name in _FALLBACK_HANDLERS.get(method) or (method.lower(),):
            handler = getattr(self, name, None)
            if handler is not None:
                return handler  # type: ignore[no-any-return]
        return None
