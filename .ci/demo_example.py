"""The SDK in ten lines. The endpoint and key come from AZURE_OPENAI_ENDPOINT and
AZURE_OPENAI_API_KEY (`make demo` points them at a local replay server)."""

from azure_openai_files import FilesClient, NotFoundError

with FilesClient() as client:
    info = client.get_file("file-5b8e0f6a2c3d4e7f9a1b2c3d4e5f6a7b")
    print(f"{info.filename}: {info.bytes} bytes, purpose {info.purpose}, status {info.status}")
    with client.stream_file_content(info.id or "") as stream:
        lines = sum(chunk.count(b"\n") for chunk in stream.iter_bytes())
    print(f"streamed {lines} lines of fine-tuning metrics")
    try:
        client.get_file("file-that-does-not-exist")
    except NotFoundError as error:
        print(f"typed error: {error.code}, HTTP {error.status_code}, request id {error.request_id}")
