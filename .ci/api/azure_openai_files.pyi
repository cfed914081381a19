# The public API of azure_openai_files: generated from the code by `make api`, never
# edited by hand. `make test` fails when the code's surface differs from this file.

DEFAULT_API_VERSION = '2024-10-21'
SUPPORTED_API_VERSIONS: tuple[str, ...] = ('2024-06-01', '2024-10-21', '2025-04-01-preview', 'v1')

class AsyncContentStream:
    received = ...  # instance attribute
    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> httpx2.Headers: ...
    @property
    def content_length(self) -> int | None: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def client_request_id(self) -> str | None: ...
    def __init__(
        self,
        response: AsyncResponse | httpx2.Response,
        state: RetryState,
    ) -> None: ...
    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]: ...
    async def read(self) -> bytes: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> AsyncContentStream: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class AsyncFilePager:
    def __init__(
        self,
        fetch_page: Callable[[str | None], Awaitable[FilePage]],
        page_size: int | None,
    ) -> None: ...
    def __aiter__(self) -> AsyncIterator[FileObject]: ...
    def by_page(self) -> AsyncIterator[list[FileObject]]: ...

class AsyncFilesClient:
    @property
    def endpoint(self) -> str: ...
    @property
    def api_version(self) -> str: ...
    def __init__(
        self,
        endpoint: str | None = None,
        *,
        api_key: str | KeyCredential | None = None,
        credential: TokenCredential | AsyncTokenCredential | None = None,
        api_version: str | None = None,
        timeout: float | httpx2.Timeout | None = None,
        max_retries: int = 3,
        retry_backoff: float = 0.5,
        retry_backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        deadline: float | None = None,
        retry_budget: RetryBudget | None = None,
        http_client: httpx2.AsyncClient | aiohttp.ClientSession | None = None,
        tracing: bool = True,
    ) -> None: ...
    async def get_file(
        self,
        file_id: str,
        *,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileObject: ...
    async def get_file_content(
        self,
        file_id: str,
        *,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> bytes: ...
    def stream_file_content(
        self,
        file_id: str,
        *,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> contextlib.AbstractAsyncContextManager[AsyncContentStream]: ...
    async def download_file(
        self,
        file_id: str,
        destination: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        progress: Progress | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> Path: ...
    async def wait_for_processing(
        self,
        file_id: str,
        *,
        timeout: float = 1800.0,
        poll_interval: float = 1.0,
    ) -> FileObject: ...
    def list_files(
        self,
        *,
        purpose: str | None = None,
        order: str | None = None,
        page_size: int | None = None,
    ) -> AsyncFilePager: ...
    async def upload_file(
        self,
        file: UploadInput,
        *,
        purpose: str,
        filename: str | None = None,
        expires_after: int | datetime.timedelta | None = None,
        progress: Progress | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileObject: ...
    async def import_file(
        self,
        content_url: str,
        *,
        filename: str,
        purpose: str,
        expires_after: int | datetime.timedelta | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileObject: ...
    async def delete_file(
        self,
        file_id: str,
        *,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileDeletionStatus: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> AsyncFilesClient: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class AuthenticationError(ServiceError):
    pass

class BadRequestError(ServiceError):
    pass

class ConflictError(ServiceError):
    pass

class ContentStream:
    received = ...  # instance attribute
    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> httpx2.Headers: ...
    @property
    def content_length(self) -> int | None: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def client_request_id(self) -> str | None: ...
    def __init__(
        self,
        response: SyncResponse | httpx2.Response,
        state: RetryState,
    ) -> None: ...
    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]: ...
    def read(self) -> bytes: ...
    def close(self) -> None: ...
    def __enter__(self) -> ContentStream: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class CredentialError(FilesError):
    pass

class FileDeletionStatus:
    id: str
    deleted: bool
    def __init__(
        self,
        id: str,
        deleted: bool,
    ) -> None: ...
    def __eq__(self, other: builtins.object) -> bool: ...
    def __hash__(self) -> int: ...

class FileObject:
    __hash__ = None
    @property
    def id(self) -> str | None: ...
    @property
    def bytes(self) -> int | None: ...
    @property
    def created_at(self) -> int | None: ...
    @property
    def expires_at(self) -> int | None: ...
    @property
    def filename(self) -> str: ...
    @property
    def object(self) -> TypeDiscriminator | str | None: ...
    @property
    def purpose(self) -> Purpose | str: ...
    @property
    def status(self) -> FileState | str | None: ...
    @property
    def status_details(self) -> str | None: ...
    @property
    def extra(self) -> dict[str, Any]: ...
    def __init__(self, model: GeneratedFile) -> None: ...
    @classmethod
    def from_dict(
        cls,
        data: object,
        *,
        api_version: str | None = None,
    ) -> FileObject: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: builtins.object) -> bool: ...

class FilePager:
    def __init__(
        self,
        fetch_page: Callable[[str | None], FilePage],
        page_size: int | None,
    ) -> None: ...
    def __iter__(self) -> Iterator[FileObject]: ...
    def by_page(self) -> Iterator[list[FileObject]]: ...

class FileProcessingError(FilesError):
    file_id: str
    status_details: str | None
    def __init__(
        self,
        file_id: str,
        status_details: str | None,
    ) -> None: ...

class FileState(StrEnum):
    UPLOADED = 'uploaded'
    PENDING = 'pending'
    RUNNING = 'running'
    PROCESSED = 'processed'
    ERROR = 'error'
    DELETING = 'deleting'
    DELETED = 'deleted'

class FilesClient:
    @property
    def endpoint(self) -> str: ...
    @property
    def api_version(self) -> str: ...
    def __init__(
        self,
        endpoint: str | None = None,
        *,
        api_key: str | KeyCredential | None = None,
        credential: TokenCredential | None = None,
        api_version: str | None = None,
        timeout: float | httpx2.Timeout | None = None,
        max_retries: int = 3,
        retry_backoff: float = 0.5,
        retry_backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        deadline: float | None = None,
        retry_budget: RetryBudget | None = None,
        http_client: httpx2.Client | None = None,
        tracing: bool = True,
    ) -> None: ...
    def get_file(
        self,
        file_id: str,
        *,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileObject: ...
    def get_file_content(
        self,
        file_id: str,
        *,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> bytes: ...
    def stream_file_content(
        self,
        file_id: str,
        *,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> contextlib.AbstractContextManager[ContentStream]: ...
    def download_file(
        self,
        file_id: str,
        destination: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        progress: Progress | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> Path: ...
    def wait_for_processing(
        self,
        file_id: str,
        *,
        timeout: float = 1800.0,
        poll_interval: float = 1.0,
    ) -> FileObject: ...
    def list_files(
        self,
        *,
        purpose: str | None = None,
        order: str | None = None,
        page_size: int | None = None,
    ) -> FilePager: ...
    def upload_file(
        self,
        file: UploadInput,
        *,
        purpose: str,
        filename: str | None = None,
        expires_after: int | datetime.timedelta | None = None,
        progress: Progress | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileObject: ...
    def import_file(
        self,
        content_url: str,
        *,
        filename: str,
        purpose: str,
        expires_after: int | datetime.timedelta | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileObject: ...
    def delete_file(
        self,
        file_id: str,
        *,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileDeletionStatus: ...
    def close(self) -> None: ...
    def __enter__(self) -> FilesClient: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class FilesError(Exception):
    def __reduce__(self) -> tuple[Any, ...]: ...

class IncompleteDownloadError(TransportError):
    received: int
    expected: int | None
    def __init__(
        self,
        message: str,
        *,
        received: int,
        expected: int | None,
        client_request_id: str | None = None,
    ) -> None: ...

class NotFoundError(ServiceError):
    pass

class OutcomeUnknownError(FilesError):
    client_request_id: str | None
    def __init__(
        self,
        message: str,
        *,
        client_request_id: str | None = None,
    ) -> None: ...

class PermissionDeniedError(ServiceError):
    pass

class Purpose(StrEnum):
    FINE_TUNE = 'fine-tune'
    FINE_TUNE_RESULTS = 'fine-tune-results'
    ASSISTANTS = 'assistants'
    ASSISTANTS_OUTPUT = 'assistants_output'
    BATCH = 'batch'
    BATCH_OUTPUT = 'batch_output'
    EVALS = 'evals'
    EVALS_OUTPUT = 'evals_output'

class RateLimitError(ServiceError):
    pass

class RequestTimeoutError(TransportError):
    pass

class RetryBudget:
    ratio = ...  # instance attribute
    min_per_second = ...  # instance attribute
    window = ...  # instance attribute
    def __init__(
        self,
        *,
        ratio: float = 0.1,
        min_per_second: float = 10.0,
        window: float = 10.0,
    ) -> None: ...
    def wait_before_send(
        self,
        now: float,
        longest: float = math.inf,
    ) -> float: ...
    def paused_until(self) -> float: ...
    def throttled_since(self, moment: float) -> bool: ...
    def on_throttled(
        self,
        now: float,
        retry_after: float,
    ) -> None: ...
    def on_unavailable(self, now: float) -> bool: ...
    def record_success(self, now: float) -> None: ...
    def try_spend(self, now: float) -> bool: ...

class ServerError(ServiceError):
    pass

class ServiceError(FilesError):
    status_code: int
    code: str | None
    message: str
    target: str | None
    details = ...  # instance attribute
    inner_error: dict[str, Any] | None
    param: str | None
    type: str | None
    headers: dict[str, str]
    request_id = ...  # instance attribute
    client_request_id = ...  # instance attribute
    retry_after: float | None
    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        inner_error: dict[str, Any] | None = None,
        param: str | None = None,
        type: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
        client_request_id: str | None = None,
    ) -> None: ...

class TransportError(FilesError):
    client_request_id: str | None
    def __init__(
        self,
        message: str,
        *,
        client_request_id: str | None = None,
    ) -> None: ...

class UnexpectedResponseError(ServiceError):
    pass

class UnsupportedOperationError(FilesError):
    operation: str
    api_version: str
    supported_by: tuple[str, ...]
    def __init__(
        self,
        operation: str,
        api_version: str,
        supported_by: tuple[str, ...],
    ) -> None: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

class UploadNotResendableError(FilesError):
    pass

class WaitTimeoutError(FilesError):
    file_id: str
    last_status: str | None
    timeout: float
    def __init__(
        self,
        file_id: str,
        last_status: str | None,
        timeout: float,
    ) -> None: ...

__version__: str
