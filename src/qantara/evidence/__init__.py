"""The auditor's evidence pack (`qantara report`): one self-contained HTML file and its Markdown twin."""
