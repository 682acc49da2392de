"""What each Lambda's code can do in AWS, read from app.py and chalicelib without running it.

Each Lambda chalice deploys starts in app.py: the REST API's (``api_handler``) at every
function there but the WebSocket handlers, each WebSocket handler at its own function;
every Lambda also runs each module's top-level code when it imports app. From there calls
are followed through chalicelib, erring on the side of reaching more: a method called on
an object whose class cannot be told counts as a call to every chalicelib method of that
name, and reading a property calls it. What the reached code can send to AWS:

- PynamoDB: ``Model.get`` → GetItem on Model's table, ``Model.index.query`` → Query on the
  index, ``Model(...).save()`` or ``item.save()`` where ``item = Model.get(...)`` → PutItem;
  an instance method on an object whose model cannot be told counts on every table;
- ``post_to_connection`` and the other @connections calls → ManageConnections;
- ``get_parameter`` → reading the stage's SSM parameters;
- ``send_email`` (SES, v1 or v2) → sending email from the sender's identity.

``Program(root).needs(function)`` is a set of ``(action, resource)``: resource is
``("table", model)`` (model ``EVERY_TABLE`` for any), ``("index", model)``,
``("parameters",)``, ``("sockets",)`` or ``("mail",)``.
"""

import ast
import collections
import copy
import pathlib

from deploy.policy import EVERY_TABLE, REST_FUNCTION

# Model.<call>: what PynamoDB 6 sends for it.
CLASS_ACTIONS = {
    "get": {"dynamodb:GetItem"},
    "get_or_none": {"dynamodb:GetItem"},
    "query": {"dynamodb:Query"},
    "scan": {"dynamodb:Scan"},
    "batch_get": {"dynamodb:BatchGetItem"},
    "batch_write": {"dynamodb:BatchWriteItem"},
    "exists": {"dynamodb:DescribeTable"},
    "describe_table": {"dynamodb:DescribeTable"},
    "create_table": {"dynamodb:CreateTable"},
    "delete_table": {"dynamodb:DeleteTable"},
}
# item.<call>, for an item of a model.
INSTANCE_ACTIONS = {
    "save": {"dynamodb:PutItem"},
    "update": {"dynamodb:UpdateItem"},
    "delete": {"dynamodb:DeleteItem"},
    "refresh": {"dynamodb:GetItem"},
}
# storage.Transaction's writes: ``transaction.<write>("name", item or Model, ...)``.
TRANSACTION_ACTIONS = {
    "save": {"dynamodb:PutItem"},
    "update": {"dynamodb:UpdateItem"},
    "delete": {"dynamodb:DeleteItem"},
    "check": {"dynamodb:ConditionCheckItem"},
}
# Names whose use sends to any table: PynamoDB's transactions.
NAME_ACTIONS = {
    "TransactGet": {"dynamodb:GetItem"},
    "TransactWrite": {
        "dynamodb:ConditionCheckItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    },
}
# botocore client calls, whatever the client is called.
CLIENT_CALLS = {
    "post_to_connection": ("execute-api:ManageConnections", ("sockets",)),
    "delete_connection": ("execute-api:ManageConnections", ("sockets",)),
    "get_connection": ("execute-api:ManageConnections", ("sockets",)),
    "get_parameter": ("ssm:GetParameter", ("parameters",)),
    "get_parameters": ("ssm:GetParameter", ("parameters",)),
    "send_email": ("ses:SendEmail", ("mail",)),
}
SETUP_ONLY = {"create_tables"}  # chalicelib.models' helper for tests and devstack
PROPERTIES = {"property", "cached_property"}  # reading one runs it
# chalicelib.storage writes items for others: ``write_if(item.update, ...)`` and
# ``transaction.update("name", item, ...)`` count where they are written, on the item's
# model; the TransactWrite inside storage.Transaction sends only what they added.
WRAPPER_MODULE = "chalicelib.storage"
WEBSOCKET_DECORATORS = {
    "on_ws_connect": "websocket_connect",
    "on_ws_message": "websocket_message",
    "on_ws_disconnect": "websocket_disconnect",
}
FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Module:
    """One source file: its name, its top-level names and what its imports bind."""

    def __init__(self, name, tree):
        self.name = name
        self.tree = tree
        self.imports = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.imports[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
        self.top = {
            node.name: f"{name}.{node.name}"
            for node in tree.body
            if isinstance(node, (*FUNCTION_DEFS, ast.ClassDef))
        }

    def resolve(self, name):
        """The qualified name ``name`` means at this module's top level, if any."""
        return self.top.get(name) or self.imports.get(name)


class Program:
    """app.py and chalicelib/ as functions, the calls between them and what they send."""

    def __init__(self, root):
        root = pathlib.Path(root)
        self.modules = {"app": Module("app", ast.parse((root / "app.py").read_text()))}
        for path in sorted((root / "chalicelib").rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            self.modules[name] = Module(name, ast.parse(path.read_text(), filename=str(path)))
        self.functions = {}  # qualified name → (module, node)
        self.classes = {}  # qualified name → (module, node)
        self.methods = collections.defaultdict(set)  # short name → qualified names
        self.properties = collections.defaultdict(set)
        for module in self.modules.values():
            self._index(module)
        self.models = self._subclasses({"Model"})  # qualified name → class name
        index_classes = self._subclasses({"GlobalSecondaryIndex", "LocalSecondaryIndex"})
        self.indexes = set()  # (model's qualified name, attribute) of every index attribute
        for qualified in self.models:
            module, node = self.classes[qualified]
            for statement in node.body:
                value = getattr(statement, "value", None)
                if (
                    isinstance(statement, ast.Assign)
                    and isinstance(value, ast.Call)
                    and module.resolve(_name(value.func)) in index_classes
                ):
                    self.indexes |= {(qualified, t.id) for t in statement.targets}

    def _subclasses(self, bases):
        """chalicelib's classes derived directly from one of PynamoDB's ``bases``."""
        found = {}
        for qualified, (module, node) in self.classes.items():
            names = {(module.resolve(_name(b)) or "").rsplit(".", 1)[-1] for b in node.bases}
            if names & bases:
                found[qualified] = node.name
        return found

    def _index(self, module):
        for node in module.tree.body:
            if isinstance(node, FUNCTION_DEFS):
                self.functions[f"{module.name}.{node.name}"] = (module, node)
            elif isinstance(node, ast.ClassDef):
                qualified = f"{module.name}.{node.name}"
                self.classes[qualified] = (module, node)
                for item in node.body:
                    if isinstance(item, FUNCTION_DEFS):
                        self.functions[f"{qualified}.{item.name}"] = (module, item)
                        self.methods[item.name].add(f"{qualified}.{item.name}")
                        if any(_name(d) in PROPERTIES for d in item.decorator_list):
                            self.properties[item.name].add(f"{qualified}.{item.name}")

    # --- where each Lambda starts --------------------------------------------------------

    def roots(self, function):
        app = self.modules["app"]
        starts = {f"{module.name}.<top>" for module in self.modules.values()}
        for node in app.tree.body:
            if not isinstance(node, FUNCTION_DEFS):
                continue
            handled = {
                WEBSOCKET_DECORATORS.get(_name(getattr(d, "func", d))) for d in node.decorator_list
            } - {None}
            if (handled or {REST_FUNCTION}) == {function}:
                starts.add(f"app.{node.name}")
        return starts

    def needs(self, function):
        """Every ``(action, resource)`` the code ``function`` runs can send."""
        needs, seen = set(), set()
        queue = collections.deque(self.roots(function))
        while queue:
            qualified = queue.popleft()
            if qualified in seen:
                continue
            seen.add(qualified)
            calls, sends = self._body(qualified)
            needs |= sends
            queue.extend(calls - seen)
        return needs

    # --- one function's body -----------------------------------------------------------

    def _body(self, qualified):
        """``(functions it may call, what it may send)`` for one function (or <top>)."""
        if qualified.endswith(".<top>"):
            module = self.modules[qualified.removesuffix(".<top>")]
            node = _top_level(module.tree)
        else:
            module, node = self.functions[qualified]
            if node.name in SETUP_ONLY:
                return set(), set()
        return _Body(self, module).read(node)


class _Body:
    """Reads one function: the calls it makes and what they send."""

    def __init__(self, program, module):
        self.program = program
        self.module = module
        self.imports = {}  # what the function's own imports bind
        self.calls = set()
        self.sends = set()
        self.items = {}  # local name → the model's qualified name it holds an item of

    def read(self, node):
        for child in ast.walk(node):
            if isinstance(child, ast.ImportFrom) and child.module and not child.level:
                for alias in child.names:
                    self.imports[alias.asname or alias.name] = f"{child.module}.{alias.name}"
        for child in ast.walk(node):
            self._note_item(child)
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                self._call(child)
            elif isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Load):
                self.calls |= self.program.properties.get(child.attr, set())
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                self._name(child.id)
        return self.calls, self.sends

    def _note_item(self, node):
        """``x = Model(...)``, ``x = Model.get(...)``, ``for x in Model[.index].query(...)``."""
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, (ast.For, ast.comprehension)):
            target, value = node.target, node.iter
        else:
            return
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            return
        model = self._model(value.func)
        if model is None and isinstance(value.func, ast.Attribute):
            receiver = value.func.value
            model = self._model(receiver) or self._index_model(receiver)
        if model is not None:
            self.items[target.id] = model

    def _name(self, name):
        """A name that is used: a function passed along counts as called."""
        if self.module.name != WRAPPER_MODULE:
            for action in NAME_ACTIONS.get(name, ()):
                self.sends.add((action, ("table", EVERY_TABLE)))
        qualified = self._resolve(name)
        if qualified in self.program.functions:
            self.calls.add(qualified)
        elif qualified in self.program.classes and qualified not in self.program.models:
            self.calls |= {f"{qualified}.{m}" for m in ("__init__", "__post_init__")} & set(
                self.program.functions
            )

    def _passed_writes(self, node):
        """``write_if(item.update, ...)``: an item's write passed along is a write."""
        for argument in node.args:
            if isinstance(argument, ast.Attribute) and argument.attr in INSTANCE_ACTIONS:
                model = self._item_model(argument.value) or EVERY_TABLE
                self._send(INSTANCE_ACTIONS[argument.attr], "table", model)

    def _transaction_write(self, node):
        """``transaction.update("name", item, ...)``: one write of a storage.Transaction."""
        name, args = node.func.attr, node.args
        if name not in TRANSACTION_ACTIONS or len(args) < 2:
            return False
        if not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
            return False
        if name == "check":
            model = self._model(args[1]) or EVERY_TABLE
        else:
            model = self._item_model(args[1]) or EVERY_TABLE
        self._send(TRANSACTION_ACTIONS[name], "table", model)
        return True

    def _call(self, node):
        self._passed_writes(node)
        function = node.func
        if not isinstance(function, ast.Attribute):
            return  # a plain name: _name sees it
        if self._transaction_write(node):
            return
        name, receiver = function.attr, function.value
        if name in CLIENT_CALLS:
            action, resource = CLIENT_CALLS[name]
            self.sends.add((action, resource))
        model = self._model(receiver)
        if model is not None:  # Model.get(...) and the like
            self._send(CLASS_ACTIONS.get(name, ()), "table", model)
            if name == "count":  # with a hash key it queries, without one it describes
                self._send(
                    {"dynamodb:Query" if node.args else "dynamodb:DescribeTable"}, "table", model
                )
            return
        indexed = self._index_model(receiver)
        if indexed is not None:  # Model.index.query(...)
            self._send(CLASS_ACTIONS.get(name, ()), "index", indexed)
            return
        item_of = self._item_model(receiver)
        if item_of is not None:  # Model(...).save(), item.update(...)
            self._send(INSTANCE_ACTIONS.get(name, ()), "table", item_of)
            return
        target = self._qualified(receiver)
        if target in self.program.modules:  # module.function(...)
            self._name_in(target, name)
            return
        if target in self.program.classes:  # Class.method(...)
            self.calls |= {f"{target}.{name}"} & set(self.program.functions)
            return
        # An object we cannot name: any chalicelib method of that name, and if it may be
        # a PynamoDB item, any table.
        self.calls |= self.program.methods.get(name, set())
        if _may_be_item_call(node):
            self._send(INSTANCE_ACTIONS[name], "table", EVERY_TABLE)

    def _send(self, actions, kind, model):
        name = model if model == EVERY_TABLE else self.program.models[model]
        self.sends |= {(action, (kind, name)) for action in actions}

    def _name_in(self, module_name, name):
        qualified = f"{module_name}.{name}"
        if qualified in self.program.functions:
            self.calls.add(qualified)
        elif qualified in self.program.classes:
            self.calls |= {f"{qualified}.__init__"} & set(self.program.functions)

    def _resolve(self, name):
        return self.imports.get(name) or self.module.resolve(name)

    def _qualified(self, node):
        return self._resolve(node.id) if isinstance(node, ast.Name) else None

    def _model(self, node):
        """The model a class reference names (``User``), if it names one."""
        qualified = self._qualified(node)
        return qualified if qualified in self.program.models else None

    def _index_model(self, node):
        """The model whose index ``Model.index`` names, if it names one."""
        if isinstance(node, ast.Attribute):
            model = self._model(node.value)
            if model is not None and (model, node.attr) in self.program.indexes:
                return model
        return None

    def _item_model(self, node):
        """The model of an item: ``Model(...)``, or a name holding one."""
        if isinstance(node, ast.Call):
            return self._model(node.func)
        if isinstance(node, ast.Name):
            return self.items.get(node.id)
        return None


def _may_be_item_call(node):
    """``x.save()``, ``x.delete()``, ``x.refresh()``, ``x.update(actions=...)``: an item's.

    Not ``d.update(other)`` or ``s.update(["a"])``: an item's update takes actions, which
    are calls (``User.name.set(...)``); its other methods take no positional argument.
    """
    name = node.func.attr
    if name not in INSTANCE_ACTIONS:
        return False
    if name == "update":
        first = node.args[0] if node.args else None
        return any(k.arg == "actions" for k in node.keywords) or (
            isinstance(first, ast.List) and all(isinstance(e, ast.Call) for e in first.elts)
        )
    return not node.args


def _name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _top_level(tree):
    """What a module runs when imported: its body without function bodies (classes' too)."""
    top = copy.copy(tree)
    top.body = []
    for node in tree.body:
        if isinstance(node, FUNCTION_DEFS):
            continue
        if isinstance(node, ast.ClassDef):
            node = copy.copy(node)
            node.body = [item for item in node.body if not isinstance(item, FUNCTION_DEFS)]
        top.body.append(node)
    return top
