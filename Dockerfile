# kumo_intercept as an HTTP server: docker build -t kumo-intercept . && docker run -p 4566:4566 kumo-intercept
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kumo_intercept ./kumo_intercept
RUN pip install --no-cache-dir ".[crypto,jsonata]"
EXPOSE 4566
HEALTHCHECK --interval=5s --timeout=2s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:4566/_kumo/health')"
ENTRYPOINT ["python", "-m", "kumo_intercept"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4566"]
