# One image for the gateway and the workers; docker-compose.yml picks the command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY agents agents
COPY topics topics
COPY gateway gateway
COPY models models
COPY infra infra
COPY tributary tributary
RUN pip install --no-cache-dir .
ENV TRIBUTARY_DATA_DIR=/data
VOLUME /data
EXPOSE 8080 6066
CMD ["tributary", "gateway", "--host", "0.0.0.0", "--port", "8080"]
