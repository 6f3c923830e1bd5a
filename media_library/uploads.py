"""Keep the file names browsers send, so that unsafe ones are refused rather than silently repaired.

Django's multipart parser strips paths and control characters from upload names
(and drops files named ``..``) before any view sees them. The upload view installs
``RawNameUploadHandler``; it parses the request itself with a parser that records
each file's name as sent, in order, on ``request.raw_upload_names``.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, load_handler
from django.http.multipartparser import MultiPartParser

UNNAMED = "unnamed"


class _NameRecordingParser(MultiPartParser):
    def sanitize_file_name(self, file_name):
        self.raw_names.append(file_name)
        return super().sanitize_file_name(file_name) or UNNAMED


class RawNameUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        handlers = [load_handler(path, self.request) for path in settings.FILE_UPLOAD_HANDLERS]
        parser = _NameRecordingParser(META, input_data, handlers, encoding)
        parser.raw_names = []
        result = parser.parse()
        self.request.raw_upload_names = parser.raw_names
        return result

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
