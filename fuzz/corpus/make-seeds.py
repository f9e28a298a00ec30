#!/usr/bin/env python3
"""Generates the shaped seeds of fuzz/corpus (#20), small enough for
libFuzzer's -max_len to mutate whole. Rerunning gives the same bytes.

- ingest/overlap.zip: an overlapping-entry zip bomb (every entry's data runs
  on into the next one's; fixtures/hostile/make.py has the construction);
- ingest/nested-bomb.zip: a 42.zip-style nest, three levels of 4 x 4 x 4;
- junit/preamble-*.xml: JUnit whose root element comes after a licence
  comment, a processing instruction or a DOCTYPE longer than the sniffed head;
- junit/not-junit-late.xml: XML with a non-JUnit root after such a preamble;
- junit/huge-attribute.xml: one attribute past a small token.

Seeds of the structured-reader harnesses end with their mode byte (a newline,
as fuzz.h expects): the last byte picks the chunk size.

Run: python3 fuzz/corpus/make-seeds.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures", "hostile"))
import make as hostile  # noqa: E402

CASE = (b'<testcase classname="example.com/dispatch" name="TestDispatchUnknownKind">'
        b'<failure message="Failed">panic: runtime error: invalid memory address or nil '
        b'pointer dereference&#xA;&#xA;goroutine 10 [running]:&#xA;'
        b'example.com/dispatch.(*Dispatcher).Dispatch(0x50b980?, 0xc0000101b0)&#xA;&#x9;'
        b'/src/dispatch/dispatch.go:37 +0x35&#xA;</failure></testcase>')
LICENCE = b"Licensed under the Apache License, Version 2.0 (the \"License\").\n" * 80


def write(rel, data):
    with open(os.path.join(HERE, rel), "wb") as f:
        f.write(data)


def junit(pre, root=b"testsuites"):
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n' + pre + b"<" + root + b">"
            b'<testsuite name="example.com/dispatch">' + CASE + b"</testsuite></" + root + b">\n")


def main():
    write("ingest/overlap.zip", hostile.overlapping_bomb(8, b"all work and no play\n" * 2000))
    level = hostile.zbytes([("%x.log" % i, b"all work and no play\n" * 5000) for i in range(4)])
    for _ in range(2):
        level = hostile.zbytes([("%x.zip" % i, level) for i in range(4)])
    write("ingest/nested-bomb.zip", level)
    write("junit/preamble-comment.xml", junit(b"<!--\n" + LICENCE + b"-->\n"))
    write("junit/preamble-pi.xml", junit(b"<?generator " + LICENCE.replace(b"\n", b" ") + b"?>\n"))
    write("junit/preamble-doctype.xml",
          junit(b"<!DOCTYPE testsuites [\n<!ELEMENT testsuites ANY>\n]>\n<!--\n" + LICENCE +
                b"-->\n"))
    write("junit/not-junit-late.xml", junit(b"<!--\n" + LICENCE + b"-->\n", root=b"project"))
    write("junit/huge-attribute.xml",
          b'<?xml version="1.0"?>\n<testsuite name="p">' + CASE +
          b'<testcase name="T2" data="' + b"z" * 20000 + b'"/></testsuite>\n')


if __name__ == "__main__":
    main()
