"""S3 Select's limits and errors, and PartiQL's MISSING."""

from __future__ import annotations

from typing import Any

from ....core.errors import AwsError


MAX_EXPRESSION_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_OPERATORS = 1024
#: a Records event carries whole rows up to about this many bytes
RECORDS_CHUNK = 64 * 1024

#: code -> message, as "List of SELECT Object Content Error Codes" words them
MESSAGES = {
    "CastFailed": "Attempt to convert from one data type to another using CAST failed in the SQL expression.",
    "CSVEscapingRecordDelimiter": "A quoted record delimiter was found in the file. To allow quoted record "
                                  "delimiters, set AllowQuotedRecordDelimiter to 'TRUE'.",
    "CSVParsingError": "Encountered an error parsing the CSV file. Check the file and try again.",
    "EvaluatorInvalidArguments": "Incorrect number of arguments in the function call in the SQL expression.",
    "EvaluatorNegativeLimit": "LIMIT must not be negative.",
    "ExpressionTooLong": "The SQL expression is too long: The maximum byte-length for the SQL expression "
                         "is 256 KB.",
    "IllegalSqlFunctionArgument": "Illegal argument was used in the SQL function.",
    "IncorrectSqlFunctionArgumentType": "Incorrect type of arguments in function call in the SQL expression.",
    "IntegerOverflow": "Int overflow or underflow in the SQL expression.",
    "InvalidColumnIndex": "The column index in the SQL expression is invalid.",
    "InvalidCompressionFormat": "The file is not in a supported compression format. Only GZIP and BZIP2 "
                                "are supported.",
    "InvalidDataType": "The SQL expression contains an invalid data type.",
    "InvalidExpressionType": "The ExpressionType is invalid. Only SQL expressions are supported.",
    "InvalidFileHeaderInfo": "The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are supported.",
    "InvalidJsonType": "The JsonType is invalid. Only DOCUMENT and LINES are supported.",
    "InvalidQuoteFields": "The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.",
    "InvalidScanRange": "The provided scan range is invalid.",
    "InvalidTableAlias": "The SQL expression contains an invalid table alias.",
    "JSONParsingError": "Encountered an error parsing the JSON file. Check the file and try again.",
    "LexerInvalidChar": "The SQL expression contains an invalid character.",
    "LexerInvalidLiteral": "The SQL expression contains an invalid literal.",
    "MaxOperatorsExceeded": "Failed to parse SQL expression, try reducing complexity. For example, reduce "
                            "number of operators used.",
    "MissingRequiredParameter": "The SelectRequest entity is missing a required parameter. Check the service "
                                "documentation and try again.",
    "ObjectSerializationConflict": "InputSerialization specifies more than one format (CSV, JSON, or "
                                   "Parquet), or OutputSerialization specifies more than one format (CSV "
                                   "or JSON). InputSerialization and OutputSerialization can only specify "
                                   "one format each.",
    "ParseAsteriskIsNotAloneInSelectList": "Other expressions are not allowed in the SELECT list when '*' "
                                           "is used without dot notation in the SQL expression.",
    "ParseEmptySelect": "The SQL expression contains an empty SELECT.",
    "ParseExpectedExpression": "Did not find the expected SQL expression.",
    "ParseExpectedIdentForAlias": "Did not find the expected identifier for the alias in the SQL "
                                  "expression.",
    "ParseExpectedTypeName": "Did not find the expected type name in the SQL expression.",
    "ParseExpectedTokenType": "Did not find the expected token in the SQL expression.",
    "ParseInvalidPathComponent": "The SQL expression contains an invalid path component.",
    "ParseNonUnaryAgregateFunctionCall": "Only one argument is supported for aggregate functions in the SQL "
                                         "expression.",
    "ParseSelectMissingFrom": "The SQL expression contains a missing FROM after SELECT list.",
    "ParseUnExpectedKeyword": "The SQL expression contains an unexpected keyword.",
    "ParseUnexpectedToken": "The SQL expression contains an unexpected token.",
    "ParseUnsupportedCallWithStar": "Only COUNT with (*) as a parameter is supported in the SQL expression.",
    "ParseUnsupportedSyntax": "The SQL expression contains unsupported syntax.",
    "TruncatedInput": "Object decompression failed. Check that the object is properly compressed using the "
                      "format specified in the request.",
    "UnsupportedFunction": "Encountered an unsupported SQL function.",
    "UnsupportedScanRangeInput": "Scan range queries are not supported on this type of object.",
    "UnsupportedSqlOperation": "Encountered an unsupported SQL operation.",
    "UnsupportedSyntax": "The syntax is not valid.",
}


class SelectError(AwsError):
    """An S3 Select error: the code, AWS's words for it, HTTP 400."""

    def __init__(self, code: str) -> None:
        super().__init__(code, MESSAGES[code], 400)


class _Missing:
    """PartiQL's MISSING: an attribute the record does not have."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
