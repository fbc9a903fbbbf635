//! [`RecordBatchStream`]: a query's result as a stream of Arrow record batches.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::StreamDecoder;
use futures::Stream;
use spark_connect_proto::execute_plan_response::ResponseType;

use crate::client::ResponseStream;
use crate::errors::{Error, Result};

/// The result of a query as Arrow record batches, in order.
///
/// Each gRPC message carries one Arrow IPC stream; it is decoded without copying (the batch's
/// buffers point into the message), so a result is held once, a few messages at a time. Dropping
/// the stream early releases the operation on the server.
#[derive(Debug)]
pub struct RecordBatchStream {
    responses: ResponseStream,
    /// Batches decoded from the last message and not yet returned.
    pending: VecDeque<RecordBatch>,
    /// Rows returned so far.
    rows: usize,
}

impl RecordBatchStream {
    pub(crate) fn new(responses: ResponseStream) -> RecordBatchStream {
        RecordBatchStream {
            responses,
            pending: VecDeque::new(),
            rows: 0,
        }
    }

    /// The id of the server-side operation (for [`SparkSession::interrupt_operation`](crate::SparkSession::interrupt_operation)).
    pub fn operation_id(&self) -> &str {
        self.responses.operation_id()
    }

    /// Rows returned so far.
    pub fn rows_so_far(&self) -> usize {
        self.rows
    }
}

/// Decodes one Arrow IPC stream (schema message, then batches) without copying its buffers.
pub(crate) fn decode_ipc(data: bytes::Bytes) -> Result<Vec<RecordBatch>> {
    let mut buffer = Buffer::from(data);
    let mut decoder = StreamDecoder::new();
    let mut out = Vec::new();
    while !buffer.is_empty() {
        match decoder.decode(&mut buffer).map_err(Error::arrow)? {
            Some(batch) => out.push(batch),
            None => {
                if buffer.is_empty() {
                    break;
                }
            }
        }
    }
    decoder.finish().map_err(Error::arrow)?;
    Ok(out)
}

impl Stream for RecordBatchStream {
    type Item = Result<RecordBatch>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(batch) = this.pending.pop_front() {
                this.rows += batch.num_rows();
                return Poll::Ready(Some(Ok(batch)));
            }
            let resp = match this.responses.poll_next_response(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Ok(None)) => return Poll::Ready(None),
                Poll::Ready(Ok(Some(resp))) => resp,
            };
            if let Some(ResponseType::ArrowBatch(batch)) = resp.response_type {
                match decode_ipc(batch.data) {
                    Ok(batches) => this.pending.extend(batches),
                    Err(e) => return Poll::Ready(Some(Err(e))),
                }
            }
            // Other responses (metrics, schema, progress) carry nothing for the caller here.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    #[test]
    fn decodes_an_ipc_stream_with_several_batches() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("s", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![1, 2, 3])),
                Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])),
            ],
        )
        .unwrap();
        let mut buf = Vec::new();
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut buf, &schema).unwrap();
        w.write(&batch).unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
        drop(w);
        let out = decode_ipc(bytes::Bytes::from(buf)).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1], batch);
    }
}
