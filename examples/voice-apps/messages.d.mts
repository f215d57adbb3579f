export declare const SALES_NUMBER: string;
export declare const MESSAGES: Readonly<Record<'menu' | 'noInput' | 'invalid' | 'connecting' | 'salesBusy' | 'leaveMessage' | 'saved', string>>;
