/** The part of a Lambda context a function with a time budget reads; tests and the local stack pass fakes. */
export interface TimedContext {
  readonly awsRequestId: string;
  readonly functionName?: string;
  getRemainingTimeInMillis(): number;
}
