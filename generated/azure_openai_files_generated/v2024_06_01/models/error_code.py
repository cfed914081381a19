from enum import StrEnum


class ErrorCode(StrEnum):
    CONFLICT = "conflict"
    CONTENTFILTER = "contentFilter"
    FILEIMPORTFAILED = "fileImportFailed"
    FORBIDDEN = "forbidden"
    INTERNALFAILURE = "internalFailure"
    INVALIDPAYLOAD = "invalidPayload"
    ITEMDOESALREADYEXIST = "itemDoesAlreadyExist"
    JSONLVALIDATIONFAILED = "jsonlValidationFailed"
    NOTFOUND = "notFound"
    QUOTAEXCEEDED = "quotaExceeded"
    SERVICEUNAVAILABLE = "serviceUnavailable"
    TOOMANYREQUESTS = "tooManyRequests"
    UNAUTHORIZED = "unauthorized"
    UNEXPECTEDENTITYSTATE = "unexpectedEntityState"

    def __str__(self) -> str:
        return str(self.value)
