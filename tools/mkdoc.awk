# resjac's API reference extractor (run by tools/mkdoc.sh; POSIX awk).
#
# Reads the public headers include/resjac/*.h and writes one record per
# public entry to standard output, for mkdoc.sh to turn into doc/api.html and
# to check.  The convention it reads is the one the headers follow: the
# comment directly above a declaration (no blank line between) is its
# contract, and one comment may cover a group of declarations that follow it
# without a blank line; a comment on the same line as a short declaration
# (`#define RJ_X 20   /* what it limits */`) documents it too.  The first
# comment of a header, above its include guard, describes the module.
#
# Output records, fields separated by a tab (text fields have tabs and
# newlines escaped as \t and \n):
#   M  file  module-comment
#   S  file  title            (a divider comment: a part of the header)
#   E  file  line  kind  name  group  doc  declaration
# kind is one of function, type, data, macro, enum; group numbers the
# comment above the entry (entries of one group share it; 0: none); doc is
# that comment, else the entry's own trailing comment, else empty: nothing
# documents the entry.  Forward declarations
# (`struct x;`), include guards and `extern "C"` are not entries.

function esc(s) {
    gsub(/\\/, "\\\\", s)
    gsub(/\t/, "\\t", s)
    gsub(/\n/, "\\n", s)
    return s
}

function trim(s) {
    sub(/^[ \t]+/, "", s)
    sub(/[ \t]+$/, "", s)
    return s
}

# The text of a comment without its delimiters and leading " * ".
function comment_text(c,    n, i, lines, out, l) {
    sub(/^[ \t\n]+/, "", c)
    sub(/[ \t\n]+$/, "", c)
    gsub(/\*\/[ \t]*\n[ \t]*\/\*+/, "\n", c)   # two comments in a row
    sub(/^[ \t]*\/\*+/, "", c)
    sub(/\*+\/[ \t]*$/, "", c)
    n = split(c, lines, "\n")
    out = ""
    for (i = 1; i <= n; i++) {
        l = lines[i]
        sub(/^[ \t]*\* ?/, "", l)
        sub(/^[ \t]+/, "", l)
        sub(/[ \t]+$/, "", l)
        out = out (i > 1 ? "\n" : "") l
    }
    sub(/^\n+/, "", out)
    sub(/\n+$/, "", out)
    return out
}

# Split line `s` into its code (CODE) and its comment text (CMT), carrying
# an open comment across lines in `incomment`.
function split_line(s,    c, p, q) {
    CODE = ""
    CMT = ""
    if (s ~ /^[ \t]*$/ && incomment) {
        CMT = " "       # a blank line inside a comment
        return
    }
    while (s != "") {
        if (incomment) {
            q = index(s, "*/")
            if (q == 0) {
                CMT = CMT s
                return
            }
            CMT = CMT substr(s, 1, q + 1)
            s = substr(s, q + 2)
            incomment = 0
        } else {
            p = index(s, "/*")
            if (p == 0) {
                CODE = CODE s
                return
            }
            CODE = CODE substr(s, 1, p - 1)
            s = substr(s, p)
            incomment = 1
        }
    }
}

function emit(kind, name, line, doc, text) {
    if (name == "")
        return
    if ((kind SUBSEP name) in seen)
        return          # a macro defined in both branches of an #ifdef
    seen[kind, name] = 1
    printf "E\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", FILENAME, line, kind, name,
        group_doc != "" ? groupno : 0, esc(doc), esc(text)
}

# Classify the finished declaration held in decl_code / decl_text.
function finish_decl(    code, name, kind, doc, p, rest, parts) {
    code = decl_code
    gsub(/[ \t\n]+/, " ", code)
    code = trim(code)
    p = index(code, "__attribute__")
    if (p > 0)
        code = trim(substr(code, 1, p - 1)) ";"
    doc = group_doc != "" ? group_doc : comment_text(decl_trailing)
    name = ""
    kind = ""
    if (code ~ /^(struct|union|enum) [A-Za-z_0-9]+ ?;$/) {
        # a forward declaration: not an entry
    } else if (code ~ /^typedef/) {
        kind = "type"
        if (match(code, /\(\* ?[A-Za-z_][A-Za-z_0-9]*\)/)) {
            name = substr(code, RSTART, RLENGTH)
            gsub(/[(*) ]/, "", name)
        } else {
            rest = code
            sub(/(\[[^]]*\])* ?;$/, "", rest)
            if (match(rest, /[A-Za-z_][A-Za-z_0-9]*$/))
                name = substr(rest, RSTART, RLENGTH)
        }
    } else if (code ~ /^enum ?\{/) {
        kind = "enum"
        rest = code
        sub(/^enum ?\{ ?/, "", rest)
        sub(/ ?\} ?;$/, "", rest)
        gsub(/ ?= ?[^,]*/, "", rest)
        gsub(/ /, "", rest)
        gsub(/,/, ", ", rest)
        name = rest
    } else if (code ~ /^(struct|union|enum) [A-Za-z_0-9]+ ?\{/) {
        kind = "type"
        split(code, parts, " ")
        name = parts[1] " " parts[2]
        sub(/\{.*/, "", name)
        name = trim(name)
    } else if (code ~ /^extern /) {
        kind = "data"
        rest = code
        sub(/(\[[^]]*\])* ?;$/, "", rest)
        if (match(rest, /[A-Za-z_][A-Za-z_0-9]*$/))
            name = substr(rest, RSTART, RLENGTH)
    } else if (index(code, "(") > 0) {
        kind = "function"
        rest = substr(code, 1, index(code, "(") - 1)
        if (match(rest, /[A-Za-z_][A-Za-z_0-9]* ?$/))
            name = trim(substr(rest, RSTART, RLENGTH))
    } else {
        kind = "data"
        rest = code
        sub(/(\[[^]]*\])* ?;$/, "", rest)
        if (match(rest, /[A-Za-z_][A-Za-z_0-9]*$/))
            name = substr(rest, RSTART, RLENGTH)
    }
    if (kind != "")
        emit(kind, name, decl_line, doc, decl_text)
    in_decl = 0
    decl_code = decl_text = decl_trailing = ""
}

function new_group(doc) {
    groupno++
    group_doc = doc
}

FNR == 1 {
    if (in_decl)
        finish_decl()
    incomment = 0
    pending = ""
    module_done = 0
    group_doc = ""
    depth = 0
    nif = 0
    in_macro = 0
}

{
    raw = $0
    split_line(raw)
    code = trim(CODE)
    cmt = CMT
}

# Whether the declaration read so far is complete: a `;` (or the closing
# brace of an inline function's body) at brace depth 0, and its trailing
# comment, if any, closed.
function decl_complete(    c) {
    if (depth != 0 || incomment)
        return 0
    c = decl_code
    sub(/[ \t]+$/, "", c)
    if (c ~ /;$/)
        return 1
    return c ~ /\}$/ && c !~ /^[ \t]*(typedef|struct|union|enum)/
}

function finish_macro() {
    in_macro = 0
    emit("macro", macro_name, macro_line,
         group_doc != "" ? group_doc : comment_text(macro_trailing), macro_text)
}

# a #define continued on the next line (by a backslash or by its comment)
in_macro {
    macro_text = macro_text "\n" raw
    if (cmt != "")
        macro_trailing = macro_trailing "\n" cmt
    if (raw !~ /\\$/ && !incomment)
        finish_macro()
    next
}

# inside a declaration: struct members, continued parameter lists, the rest
# of a trailing comment
in_decl {
    decl_text = decl_text "\n" raw
    decl_code = decl_code " " code
    if (cmt != "" && depth == 0)
        decl_trailing = decl_trailing "\n" cmt
    depth += gsub(/\{/, "{", code) - gsub(/\}/, "}", code)
    if (decl_complete())
        finish_decl()
    next
}

# a comment on a line of its own, at file level
code == "" && cmt != "" {
    if (prev_was_comment)
        pending = pending "\n" cmt
    else
        pending = cmt
    prev_was_comment = incomment || cmt ~ /\*\/[ \t]*$/
    next
}

# a blank line ends a group and forgets a comment that documents nothing
# (but a divider `/* ---- title */` starts a part of the header)
code == "" {
    if (!module_done && pending != "") {
        printf "M\t%s\t%s\n", FILENAME, esc(comment_text(pending))
        module_done = 1
    } else if (pending ~ /^[ \t]*\/\* *-----+ *[^ -][^\n]*\*\/[ \t]*$/) {
        part = comment_text(pending)
        sub(/^-+ */, "", part)
        printf "S\t%s\t%s\n", FILENAME, esc(part)
    }
    pending = ""
    group_doc = ""
    prev_was_comment = 0
    next
}

{
    prev_was_comment = 0
    if (pending != "") {
        if (!module_done && code ~ /^#ifndef RESJAC_/) {
            printf "M\t%s\t%s\n", FILENAME, esc(comment_text(pending))
            module_done = 1
            pending = ""
        } else {
            new_group(comment_text(pending))
            pending = ""
        }
    }
}

# preprocessor lines
code ~ /^#/ {
    if (code ~ /^#[ \t]*if/) {
        ifkind[++nif] = (code ~ /__cplusplus|RESJAC_[A-Z_0-9]*_H/)
        if (ifkind[nif])
            group_doc = ""
    } else if (code ~ /^#[ \t]*endif/) {
        if (nif > 0 && ifkind[nif])
            group_doc = ""
        if (nif > 0)
            nif--
    } else if (code ~ /^#[ \t]*define[ \t]+RESJAC_[A-Z_0-9]*_H/) {
        # the include guard
    } else if (code ~ /^#[ \t]*define[ \t]/) {
        macro_name = code
        sub(/^#[ \t]*define[ \t]+/, "", macro_name)
        sub(/[^A-Za-z_0-9].*$/, "", macro_name)
        macro_line = FNR
        macro_text = raw
        macro_trailing = cmt
        in_macro = 1
        if (raw !~ /\\$/ && !incomment)
            finish_macro()
    } else if (code ~ /^#[ \t]*include/) {
        group_doc = ""
    }
    next
}

# extern "C" { ... } for C++
code ~ /^extern "C"/ || code == "}" {
    group_doc = ""
    next
}

# the first line of a declaration
{
    in_decl = 1
    decl_line = FNR
    decl_text = raw
    decl_code = code
    decl_trailing = cmt
    depth = gsub(/\{/, "{", code) - gsub(/\}/, "}", code)
    if (decl_complete())
        finish_decl()
}

END {
    if (in_decl)
        finish_decl()
    if (in_macro)
        finish_macro()
}
