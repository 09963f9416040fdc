"""{{{appName}}}: an API on API Gateway and Lambda written by Gaffer for {{{issue}}}."""
