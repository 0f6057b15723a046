#!/usr/bin/env python3
"""Lists the public API of a crate from rustdoc's JSON output, one sorted line per item,
so that CI can compare it with the checked-in snapshot and every API change is a visible
diff.

usage: public_api.py CRATE.json > api.txt

The JSON comes from `cargo +nightly rustdoc -p CRATE --all-features -- -Z unstable-options
--output-format json`. Only the format version below is understood: a newer nightly must
update this script (it says so instead of guessing).
"""

import json
import sys

FORMAT_VERSIONS = {57}


def die(msg):
    sys.exit(f"public_api.py: {msg}")


class Api:
    def __init__(self, doc):
        if doc["format_version"] not in FORMAT_VERSIONS:
            die(f"rustdoc JSON format {doc['format_version']} is not one of {FORMAT_VERSIONS}")
        self.index = doc["index"]
        self.paths = doc["paths"]
        self.lines = set()
        self.seen = set()
        # Where users name each of this crate's items (its definition path may be in a
        # private module, which a reorganisation may change without changing the API).
        self.public = {}
        self.find_public(doc["root"], [], set())

    def find_public(self, id_, path, visiting):
        it = self.index.get(str(id_))
        if it is None or str(id_) in visiting:
            return
        (kind, v), = it["inner"].items()
        if kind == "module":
            here = path + [it["name"]]
            self.public.setdefault(str(id_), "::".join(here))
            for child in v["items"]:
                self.find_public(child, here, visiting | {str(id_)})
        elif kind == "use":
            if v["id"] is None:
                return
            target = self.index.get(str(v["id"]))
            if target is None:
                return
            if v["is_glob"]:
                # `pub use module::*`: the module's items, at this path.
                if "module" in target["inner"]:
                    for child in target["inner"]["module"]["items"]:
                        self.find_public(child, path, visiting | {str(v["id"])})
                return
            (tkind, _), = target["inner"].items()
            name_path = path + [v["name"]]
            if tkind == "module":
                self.public.setdefault(str(v["id"]), "::".join(name_path))
                for child in target["inner"]["module"]["items"]:
                    self.find_public(child, name_path, visiting | {str(v["id"])})
            else:
                self.public.setdefault(str(v["id"]), "::".join(name_path))
        elif it.get("name"):
            self.public.setdefault(str(id_), "::".join(path + [it["name"]]))

    # ----- types -----------------------------------------------------------------------

    def path_of(self, id_, fallback):
        if str(id_) in self.public:
            return self.public[str(id_)]
        p = self.paths.get(str(id_))
        if not p:
            return fallback
        # Another crate's item: its crate and name, not its private module path (which
        # moves between versions of that crate without changing anything here).
        return f"{p['path'][0]}::{p['path'][-1]}"

    def args(self, args):
        if not args:
            return ""
        if "angle_bracketed" in args:
            ab = args["angle_bracketed"]
            parts = []
            for a in ab["args"]:
                if a == "infer":
                    parts.append("_")
                elif "lifetime" in a:
                    parts.append(a["lifetime"])
                elif "type" in a:
                    parts.append(self.ty(a["type"]))
                elif "const" in a:
                    parts.append(a["const"].get("expr", "?"))
            for c in ab["constraints"]:
                binding = c["binding"]
                if "equality" in binding:
                    value = binding["equality"]
                    value = self.ty(value["type"]) if "type" in value else value["constant"]["expr"]
                    parts.append(f"{c['name']} = {value}")
                else:
                    parts.append(f"{c['name']}: {self.bounds(binding['constraint'])}")
            return f"<{', '.join(parts)}>" if parts else ""
        if "parenthesized" in args:
            p = args["parenthesized"]
            out = f" -> {self.ty(p['output'])}" if p["output"] else ""
            return f"({', '.join(self.ty(t) for t in p['inputs'])}){out}"
        return ""

    def ty(self, t):
        if t is None:
            return "()"
        (kind, v), = t.items()
        if kind == "resolved_path":
            return self.path_of(v["id"], v["path"]) + self.args(v["args"])
        if kind == "generic" or kind == "primitive":
            return v
        if kind == "tuple":
            return f"({', '.join(self.ty(x) for x in v)}{',' if len(v) == 1 else ''})"
        if kind == "slice":
            return f"[{self.ty(v)}]"
        if kind == "array":
            return f"[{self.ty(v['type'])}; {v['len']}]"
        if kind == "borrowed_ref":
            lt = f"{v['lifetime']} " if v["lifetime"] else ""
            return f"&{lt}{'mut ' if v['is_mutable'] else ''}{self.ty(v['type'])}"
        if kind == "raw_pointer":
            return f"*{'mut' if v['is_mutable'] else 'const'} {self.ty(v['type'])}"
        if kind == "impl_trait":
            return f"impl {self.bounds(v)}"
        if kind == "dyn_trait":
            traits = [self.poly_trait(p) for p in v["traits"]]
            if v.get("lifetime"):
                traits.append(v["lifetime"])
            return f"dyn {' + '.join(traits)}"
        if kind == "qualified_path":
            trait = f" as {self.ty({'resolved_path': v['trait']})}" if v.get("trait") else ""
            return f"<{self.ty(v['self_type'])}{trait}>::{v['name']}{self.args(v['args'])}"
        if kind == "function_pointer":
            sig = v["sig"]
            ins = ", ".join(self.ty(x) for _, x in sig["inputs"])
            out = f" -> {self.ty(sig['output'])}" if sig["output"] else ""
            return f"fn({ins}){out}"
        if kind == "infer":
            return "_"
        return f"<{kind}>"

    def poly_trait(self, p):
        hr = p.get("generic_params") or []
        prefix = f"for<{', '.join(g['name'] for g in hr)}> " if hr else ""
        return prefix + self.ty({"resolved_path": p["trait"]})

    def bounds(self, bounds):
        out = []
        for b in bounds:
            if "trait_bound" in b:
                tb = b["trait_bound"]
                modifier = {"none": "", "maybe": "?", "maybe_const": "~const "}.get(tb["modifier"], "")
                out.append(modifier + self.poly_trait(tb))
            elif "outlives" in b:
                out.append(b["outlives"])
            elif "use" in b:
                out.append(f"use<{', '.join(str(x) for x in b['use'])}>")
        return " + ".join(out)

    def generics(self, g):
        params = []
        for p in g["params"]:
            kind = p["kind"]
            if "lifetime" in kind:
                outl = kind["lifetime"]["outlives"]
                params.append(p["name"] + (f": {' + '.join(outl)}" if outl else ""))
            elif "type" in kind:
                if kind["type"].get("is_synthetic"):
                    continue
                b = self.bounds(kind["type"]["bounds"])
                params.append(p["name"] + (f": {b}" if b else ""))
            elif "const" in kind:
                params.append(f"const {p['name']}: {self.ty(kind['const']['type'])}")
        where = []
        for w in g["where_predicates"]:
            if "bound_predicate" in w:
                bp = w["bound_predicate"]
                where.append(f"{self.ty(bp['type'])}: {self.bounds(bp['bounds'])}")
            elif "lifetime_predicate" in w:
                lp = w["lifetime_predicate"]
                where.append(f"{lp['lifetime']}: {' + '.join(lp['outlives'])}")
            elif "eq_predicate" in w:
                ep = w["eq_predicate"]
                where.append(f"{self.ty(ep['lhs'])} = {self.ty(ep['rhs'].get('type'))}")
        return (f"<{', '.join(params)}>" if params else ""), (
            f" where {', '.join(where)}" if where else ""
        )

    def fn(self, name, f):
        h = f["header"]
        quals = "".join(
            q for q, on in (("const ", h["is_const"]), ("async ", h["is_async"]),
                            ("unsafe ", h["is_unsafe"])) if on
        )
        gen, where = self.generics(f["generics"])
        ins = []
        for arg, t in f["sig"]["inputs"]:
            if arg == "self":
                rendered = self.ty(t)
                ins.append({"Self": "self", "&Self": "&self", "&mut Self": "&mut self"}.get(
                    rendered, f"self: {rendered}"))
            else:
                ins.append(f"{arg}: {self.ty(t)}")
        out = f" -> {self.ty(f['sig']['output'])}" if f["sig"]["output"] else ""
        return f"{quals}fn {name}{gen}({', '.join(ins)}){out}{where}"

    # ----- items ---------------------------------------------------------------------

    def emit(self, line):
        self.lines.add(line)

    def item(self, id_, path):
        key = (str(id_), path)
        if key in self.seen:
            return
        self.seen.add(key)
        it = self.index.get(str(id_))
        if it is None:
            return  # an item of another crate, re-exported: named by its `use` line
        (kind, v), = it["inner"].items()
        name = it["name"]
        full = f"{path}::{name}" if path and name else (name or path)
        if kind == "module":
            self.emit(f"pub mod {full}")
            for child in v["items"]:
                self.item(child, full)
        elif kind == "use":
            if v["is_glob"]:
                target = self.index.get(str(v["id"])) if v["id"] is not None else None
                if target is not None and "module" in target["inner"]:
                    for child in target["inner"]["module"]["items"]:
                        self.item(child, path)
                else:
                    self.emit(f"pub use {path}::{v['source']}::*")
                return
            target = self.index.get(str(v["id"])) if v["id"] is not None else None
            if target is None:
                self.emit(f"pub use {path}::{v['name']} = {v['source']}")
            else:
                # Our own item, re-exported: list it under the path users name.
                self.item_as(v["id"], path, v["name"])
        elif kind == "struct":
            gen, where = self.generics(v["generics"])
            self.emit(f"pub struct {full}{gen}{where}")
            sk = v["kind"]
            if isinstance(sk, dict) and "plain" in sk:
                for f in sk["plain"]["fields"]:
                    fi = self.index[str(f)]
                    if fi["visibility"] == "public":
                        self.emit(f"pub {full}::{fi['name']}: {self.ty(fi['inner']['struct_field'])}")
            self.impls(full, v["impls"])
        elif kind == "enum":
            gen, where = self.generics(v["generics"])
            self.emit(f"pub enum {full}{gen}{where}")
            for var in v["variants"]:
                self.emit(f"pub {full}::{self.index[str(var)]['name']}")
            self.impls(full, v["impls"])
        elif kind == "trait":
            gen, where = self.generics(v["generics"])
            unsafe = "unsafe " if v["is_unsafe"] else ""
            sup = f": {self.bounds(v['bounds'])}" if v["bounds"] else ""
            self.emit(f"pub {unsafe}trait {full}{gen}{sup}{where}")
            for child in v["items"]:
                self.assoc(child, full)
        elif kind == "function":
            self.emit(f"pub {self.fn(full, v)}")
        elif kind == "constant":
            self.emit(f"pub const {full}: {self.ty(v['type'])}")
        elif kind == "static":
            self.emit(f"pub static {full}: {self.ty(v['type'])}")
        elif kind == "type_alias":
            gen, _ = self.generics(v["generics"])
            self.emit(f"pub type {full}{gen} = {self.ty(v['type'])}")
        elif kind == "macro":
            self.emit(f"pub macro {full}!")
        elif kind == "proc_macro":
            self.emit(f"pub {v['kind']} {full}")
        else:
            self.emit(f"pub {kind} {full}")

    def item_as(self, id_, path, name):
        it = dict(self.index[str(id_)])
        if it["name"] == name:
            return self.item(id_, path)
        it["name"] = name
        fake = f"alias:{id_}:{name}"
        self.index[fake] = it
        self.item(fake, path)

    def assoc(self, id_, owner):
        it = self.index[str(id_)]
        (kind, v), = it["inner"].items()
        name = f"{owner}::{it['name']}"
        if kind == "function":
            self.emit(f"pub {self.fn(name, v)}")
        elif kind == "assoc_type":
            b = f": {self.bounds(v['bounds'])}" if v.get("bounds") else ""
            dflt = f" = {self.ty(v['type'])}" if v.get("type") else ""
            self.emit(f"pub type {name}{b}{dflt}")
        elif kind == "assoc_const":
            self.emit(f"pub const {name}: {self.ty(v['type'])}")

    def impls(self, owner, impls):
        for i in impls:
            imp = self.index[str(i)]["inner"]["impl"]
            if imp["is_synthetic"] or imp.get("blanket_impl") is not None:
                continue  # auto traits and blanket impls: see tests/tests/auto_traits.rs
            gen, where = self.generics(imp["generics"])
            if imp["trait"] is None:
                for child in imp["items"]:
                    c = self.index[str(child)]
                    if c["visibility"] == "public":
                        self.assoc(child, owner)
            else:
                neg = "!" if imp["is_negative"] else ""
                unsafe = "unsafe " if imp["is_unsafe"] else ""
                trait = self.ty({"resolved_path": imp["trait"]})
                self.emit(f"{unsafe}impl{gen} {neg}{trait} for {self.ty(imp['for'])}{where}")


def main():
    if len(sys.argv) != 2:
        die("usage: public_api.py CRATE.json")
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    api = Api(doc)
    root = doc["index"][str(doc["root"])]
    api.item(doc["root"], "")
    lines = sorted(l for l in api.lines if "__private" not in l and "__cmsg" not in l)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
