"""schemathesis hooks of scripts/api-test.sh (loaded through
`SCHEMATHESIS_HOOKS`).

- The CSV downloads are validated as what they are: text (their schema is
  `type: string`), instead of skipped for want of a deserializer.
- A workaround for CPython 3.11's "AST constructor recursion depth
  mismatch" (a SystemError of `ast.parse` deep in a call stack, fixed in
  later CPythons), which Hypothesis can hit while it merely names a filter
  lambda for display: the name falls back to a plain one, nothing about the
  generated data changes.
"""

import schemathesis
from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _lambda_description(*args, **kwargs):
    try:
        return _describe(*args, **kwargs)
    except SystemError:
        return "lambda"


lambda_sources._lambda_description = _lambda_description


@schemathesis.deserializer("text/csv")
def csv_as_text(ctx, response):
    return response.content.decode("utf-8")
